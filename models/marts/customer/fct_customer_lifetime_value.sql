-- One row per customer with at least one purchase: historical, discounted and predicted
-- lifetime value in the reporting currency.
--
--   contribution_i   = gross margin - direct service cost in customer year i (year 0 = the
--                      first 365 days from the first purchase)
--   discounted LTV   = sum over i = 0..H of contribution_i / (1 + d)^i  - acquisition cost
--   predicted future = m * sum over i = 1..H of (r / (1 + d))^i
--                      m = mean yearly contribution after year 0 (year 0's when there is
--                      no later year), r = mean yearly retention rate of the customer base
-- d = var ltv_discount_rate, H = var ltv_horizon_years, acquisition cost = var
-- ltv_acquisition_cost. Textbook check (unit test): kept 10 years, acquisition 500, first
-- purchase 3000, yearly revenue 1000, yearly service cost 100, d = 8%:
--   2,500 + 900 x (1.08^-1 + ... + 1.08^-10) = 2,500 + 900 x 6.710081 = 8,539.07.
-- Amounts are rounded to cents.
with

yearly_value as (
    select * from {{ ref('int_customers__yearly_value') }}
),

retention as (
    select avg(retention_rate) as retention_rate
    from {{ ref('int_customers__yearly_retention') }}
),

per_customer as (
    select
        customer_key,
        sum(net_revenue) as historical_revenue,
        sum(gross_margin) as historical_margin,
        sum(service_cost) as historical_service_cost,
        sum(contribution) as historical_contribution,
        sum(
            case
                when customer_year <= {{ var('ltv_horizon_years') }}
                    then {{ discounted('contribution', 'customer_year', var('ltv_discount_rate')) }}
                else 0
            end
        ) as discounted_contribution,
        max(customer_year) as last_customer_year,
        coalesce(
            avg(case when customer_year > 0 then contribution end),
            avg(case when customer_year = 0 then contribution end)
        ) as mean_yearly_contribution
    from yearly_value
    group by customer_key
),

-- predicted future = m * sum over i = 1..H of (r / (1 + d))^i, in closed form (a geometric
-- series; H terms of m when r / (1 + d) = 1).
predicted as (
    select
        per_customer.customer_key,
        case
            when retention.retention_rate is null then null
            when retention.retention_rate = 1 + {{ var('ltv_discount_rate') }}
                then per_customer.mean_yearly_contribution * {{ var('ltv_horizon_years') }}
            else
                per_customer.mean_yearly_contribution
                * (retention.retention_rate / (1 + {{ var('ltv_discount_rate') }}))
                * (
                    1
                    - power(
                        retention.retention_rate / (1 + {{ var('ltv_discount_rate') }}), {{ var('ltv_horizon_years') }}
                    )
                )
                / (1 - retention.retention_rate / (1 + {{ var('ltv_discount_rate') }}))
        end as predicted_future_value
    from per_customer
    cross join retention
),

final as (
    select
        per_customer.customer_key,
        per_customer.last_customer_year + 1 as customer_years,
        {{ round_to('per_customer.historical_revenue', 2) }} as historical_revenue,
        {{ round_to('per_customer.historical_margin', 2) }} as historical_margin,
        {{ round_to('per_customer.historical_service_cost', 2) }} as historical_service_cost,
        {{ round_to('per_customer.historical_contribution', 2) }} as historical_contribution,
        cast({{ var('ltv_acquisition_cost') }} as {{ type_double() }}) as acquisition_cost,
        {{ round_to('per_customer.historical_contribution - ' ~ var('ltv_acquisition_cost'), 2) }} as undiscounted_ltv,
        {{ round_to('per_customer.discounted_contribution - ' ~ var('ltv_acquisition_cost'), 2) }} as discounted_ltv,
        {{ round_to('per_customer.mean_yearly_contribution', 2) }} as mean_yearly_contribution,
        retention.retention_rate,
        {{ round_to('predicted.predicted_future_value', 2) }} as predicted_future_value,
        cast({{ var('ltv_discount_rate') }} as {{ type_double() }}) as discount_rate,
        {{ var('ltv_horizon_years') }} as horizon_years
    from per_customer
    cross join retention
    inner join predicted
        on per_customer.customer_key = predicted.customer_key
)

select * from final
