with

source as (
    {{ collapse_exact_duplicates(source('crm', 'customers'), [
        'customer_id', 'first_name', 'last_name', 'email', 'phone', 'gender', 'birth_date',
        'income_band', 'education', 'marital_status', 'city', 'region', 'country_code',
        'customer_type', 'industry', 'signup_date', 'signup_channel', 'updated_at',
    ]) }}
),

renamed as (
    select
        cast(customer_id as {{ dbt.type_int() }}) as customer_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        {{ normalize_email('email') }} as email,
        {{ normalize_phone('phone') }} as phone,
        case lower(trim(gender))
            when 'female' then 'female'
            when 'f' then 'female'
            when 'male' then 'male'
            when 'm' then 'male'
            else '{{ var("unknown_code") }}'
        end as gender,
        cast(birth_date as date) as birth_date,
        lower(trim(income_band)) as income_band,
        lower(trim(education)) as education_level,
        lower(trim(marital_status)) as marital_status,
        trim(city) as city,
        {{ default_unknown('region') }} as region,
        upper(trim(country_code)) as country_code,
        lower(trim(customer_type)) as customer_type,
        lower(trim(industry)) as industry,
        cast(signup_date as date) as signed_up_on,
        {{ default_unknown('signup_channel') }} as signup_channel_code,
        {{ to_utc_timestamp('updated_at') }} as updated_at,
        {{ is_internal_email('email') }} as is_internal_account,
        loaded_copies
    from source
),

final as (
    select * from renamed
)

select * from final
