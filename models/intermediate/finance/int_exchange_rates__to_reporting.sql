with

rates as (
    select
        rate_date,
        currency_code,
        usd_per_unit
    from {{ ref('stg_crm__exchange_rates') }}
),

reporting_rates as (
    select
        rate_date,
        usd_per_unit as usd_per_reporting_unit
    from rates
    where currency_code = '{{ var("reporting_currency") }}'
),

final as (
    select
        rates.rate_date,
        rates.currency_code,
        cast(rates.usd_per_unit / reporting_rates.usd_per_reporting_unit as {{ type_double() }})
            as reporting_per_unit
    from rates
    inner join reporting_rates
        on rates.rate_date = reporting_rates.rate_date
)

select * from final
