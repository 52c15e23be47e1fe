with

yearly_value as (
    select * from {{ ref('int_customers__yearly_value') }}
),

-- The state on as_of_date: whether the customer has churned, and how many of their customer
-- years are complete (a year still running would understate a yearly mean).
current_state as (
    select
        customer_key,
        is_churned,
        -- the customer year (macro customer_year) the day after as_of_date falls in
        {{ customer_year('first_purchase_on', dbt.dateadd('day', 1, 'evaluation_date')) }} as complete_years
    from {{ ref('int_customers__state_as_of') }}
    where purchases_to_date > 0
),

retention as (
    select avg(retention_rate) as retention_rate
    from {{ ref('int_customers__yearly_retention') }}
),

per_customer as (
    select
        yearly_value.customer_key,
        sum(yearly_value.net_revenue) as historical_revenue,
        sum(yearly_value.gross_margin) as historical_margin,
        sum(yearly_value.service_cost) as historical_service_cost,
        sum(yearly_value.contribution) as historical_contribution,
        sum(
            case
                when yearly_value.customer_year <= {{ var('ltv_horizon_years') }}
                    then {{ discounted(
                        'yearly_value.contribution', 'yearly_value.customer_year', var('ltv_discount_rate'),
                    ) }}
                else 0
            end
        ) as discounted_contribution,
        max(case when yearly_value.has_purchase then yearly_value.customer_year end) + 1 as customer_years,
        max(current_state.complete_years) as complete_years,
        max(case when current_state.is_churned then 1 else 0 end) = 1 as is_churned,
        sum(
            case
                when yearly_value.customer_year >= 1 and yearly_value.customer_year < current_state.complete_years
                    then yearly_value.contribution
                else 0
            end
        ) as later_complete_years_contribution,
        sum(case when yearly_value.customer_year = 0 then yearly_value.contribution else 0 end)
            as first_year_contribution
    from yearly_value
    inner join current_state
        on yearly_value.customer_key = current_state.customer_key
    group by yearly_value.customer_key
),

-- m: the mean over the complete years after year 0, years without any row counting as 0;
-- year 0's contribution while no later year is complete. A mean of money, in cents (macro
-- divide_money), so a mean on a half cent rounds alike on every database.
yearly_mean as (
    select
        *,
        case
            when complete_years >= 2
                then {{ divide_money('later_complete_years_contribution', 'complete_years - 1') }}
            else first_year_contribution
        end as mean_yearly_contribution
    from per_customer
),

-- predicted future = m * sum over i = 1..H of (r / (1 + d))^i, in closed form (a geometric
-- series; H terms of m when r / (1 + d) = 1); 0 for a churned customer.
predicted as (
    select
        yearly_mean.customer_key,
        case
            when yearly_mean.is_churned then 0
            when retention.retention_rate is null then null
            when retention.retention_rate = 1 + {{ var('ltv_discount_rate') }}
                then yearly_mean.mean_yearly_contribution * {{ var('ltv_horizon_years') }}
            else
                yearly_mean.mean_yearly_contribution
                * (retention.retention_rate / (1 + {{ var('ltv_discount_rate') }}))
                * (
                    1
                    - power(
                        retention.retention_rate / (1 + {{ var('ltv_discount_rate') }}), {{ var('ltv_horizon_years') }}
                    )
                )
                / (1 - retention.retention_rate / (1 + {{ var('ltv_discount_rate') }}))
        end as predicted_future_value
    from yearly_mean
    cross join retention
),

final as (
    select
        yearly_mean.customer_key,
        cast(yearly_mean.customer_years as {{ dbt.type_int() }}) as customer_years,
        cast(yearly_mean.historical_revenue as {{ type_money() }}) as historical_revenue,
        cast(yearly_mean.historical_margin as {{ type_money() }}) as historical_margin,
        cast(yearly_mean.historical_service_cost as {{ type_money() }}) as historical_service_cost,
        cast(yearly_mean.historical_contribution as {{ type_money() }}) as historical_contribution,
        cast({{ var('ltv_acquisition_cost') }} as {{ type_money() }}) as acquisition_cost,
        cast(yearly_mean.historical_contribution - {{ var('ltv_acquisition_cost') }} as {{ type_money() }})
            as undiscounted_ltv,
        {{ to_money('yearly_mean.discounted_contribution - ' ~ var('ltv_acquisition_cost')) }} as discounted_ltv,
        cast(yearly_mean.mean_yearly_contribution as {{ type_money() }}) as mean_yearly_contribution,
        retention.retention_rate,
        {{ to_money('predicted.predicted_future_value') }} as predicted_future_value,
        yearly_mean.is_churned,
        cast({{ var('ltv_discount_rate') }} as {{ type_double() }}) as discount_rate,
        {{ var('ltv_horizon_years') }} as horizon_years,
        {{ as_of_date() }} as as_of_date
    from yearly_mean
    cross join retention
    inner join predicted
        on yearly_mean.customer_key = predicted.customer_key
)

select * from final
