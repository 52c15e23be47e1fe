with

source as (
    {{ collapse_exact_duplicates(source('crm', 'exchange_rates'), [
        'rate_date', 'currency_code', 'usd_per_unit',
    ]) }}
),

final as (
    select
        {{ dbt.concat(["rate_date", "'-'", "upper(trim(currency_code))"]) }} as exchange_rate_id,
        cast(rate_date as date) as rate_date,
        upper(trim(currency_code)) as currency_code,
        cast(usd_per_unit as {{ dbt.type_numeric() }}) as usd_per_unit,
        loaded_copies
    from source
)

select * from final
