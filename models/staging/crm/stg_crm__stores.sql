with

source as (
    {{ collapse_exact_duplicates(source('crm', 'stores'), [
        'store_id', 'store_name', 'city', 'region', 'country_code', 'opened_on',
    ]) }}
),

final as (
    select
        cast(store_id as {{ dbt.type_int() }}) as store_id,
        trim(store_name) as store_name,
        trim(city) as city,
        {{ default_unknown('region') }} as region,
        upper(trim(country_code)) as country_code,
        cast(opened_on as date) as opened_on,
        loaded_copies
    from source
)

select * from final
