with

source as (
    {{ collapse_exact_duplicates(source('crm', 'web_accounts'), [
        'web_account_id', 'email', 'phone', 'first_name', 'last_name', 'country_code',
        'registered_at', 'last_login_at',
    ]) }}
),

renamed as (
    select
        cast(web_account_id as {{ dbt.type_int() }}) as web_account_id,
        {{ normalize_email('email') }} as email,
        {{ normalize_phone('phone') }} as phone,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        upper(trim(country_code)) as country_code,
        {{ to_utc_timestamp('registered_at') }} as registered_at,
        {{ to_utc_timestamp('last_login_at') }} as last_login_at,
        {{ is_internal_email('email') }} as is_internal_account,
        loaded_copies
    from source
),

final as (
    select * from renamed
)

select * from final
