-- One purchase per order, as everywhere else in the warehouse: two orders on one day are two
-- purchases.

-- A table: the fitting model reads it once per origin and its tests read it.
{{ config(materialized='table') }}

with

as_of as (
    select as_of_date from {{ ref('int_calendar__as_of_date') }}
),

holdout_ends as (
    {% for origin_index in range(1, var('propensity_backtest_origins') | int + 1) %}
    select
        {{ origin_index }} as origin_index,
        cast({{ dbt.dateadd(
            'month', -(origin_index - 1) * var('propensity_backtest_spacing_months') | int, 'as_of_date',
        ) }} as date) as holdout_end_on
    from as_of
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

origins as (
    select
        0 as origin_index,
        as_of_date as origin_date,
        cast(null as date) as holdout_end_on
    from as_of
    union all
    select
        origin_index,
        cast({{ dbt.dateadd('month', -var('btyd_holdout_months') | int, 'holdout_end_on') }} as date) as origin_date,
        holdout_end_on
    from holdout_ends
),

purchases as (
    select
        customer_key,
        ordered_on,
        purchase_number,
        recognized_margin
    from {{ ref('int_orders__purchases') }}
),

-- Purchases are numbered in time order, so those up to an origin are numbers 1..count and the
-- repeat purchases are those numbered 2 and up.
calibration as (
    select
        origins.origin_index,
        origins.origin_date,
        origins.holdout_end_on,
        purchases.customer_key,
        min(purchases.ordered_on) as first_purchase_on,
        max(purchases.ordered_on) as last_purchase_on,
        count(*) - 1 as repeat_purchases,
        avg(case when purchases.purchase_number > 1 then purchases.recognized_margin end) as mean_repeat_margin
    from origins
    -- Up to the origin: nothing after it reaches the calibration.
    inner join purchases
        on origins.origin_date >= purchases.ordered_on
    group by
        origins.origin_index,
        origins.origin_date,
        origins.holdout_end_on,
        purchases.customer_key
),

holdout as (
    select
        origins.origin_index,
        purchases.customer_key,
        count(*) as holdout_purchases,
        sum(purchases.recognized_margin) as holdout_margin
    from origins
    inner join purchases
        on
            origins.origin_date < purchases.ordered_on
            and origins.holdout_end_on >= purchases.ordered_on
    group by
        origins.origin_index,
        purchases.customer_key
),

final as (
    select
        calibration.origin_index,
        calibration.origin_date,
        calibration.origin_index = 0 as is_scoring_origin,
        calibration.holdout_end_on,
        {{ periods_between('calibration.origin_date', 'calibration.holdout_end_on', 'day') }} as holdout_days,
        calibration.customer_key,
        calibration.first_purchase_on,
        calibration.last_purchase_on,
        cast(calibration.repeat_purchases as {{ dbt.type_bigint() }}) as repeat_purchases,
        {{ periods_between('calibration.first_purchase_on', 'calibration.last_purchase_on', 'day') }}
            as days_first_to_last_purchase,
        {{ periods_between('calibration.first_purchase_on', 'calibration.origin_date', 'day') }}
            as days_since_first_purchase,
        cast(calibration.mean_repeat_margin as {{ type_double() }}) as mean_repeat_margin,
        -- No holdout at the scoring origin: its future is not known yet.
        case
            when calibration.origin_index > 0
                then cast(coalesce(holdout.holdout_purchases, 0) as {{ dbt.type_bigint() }})
        end as holdout_purchases,
        case
            when calibration.origin_index > 0
                then cast(coalesce(holdout.holdout_margin, 0) as {{ type_double() }})
        end as holdout_margin,
        -- The customers the models are fitted on (and, at a back-test origin, tested on): at
        -- most var btyd_max_fit_customers per origin, the first in key order. The key is a hash,
        -- so that is a sample unrelated to behaviour, and a new customer changes it by one.
        row_number() over (
            partition by calibration.origin_index
            order by calibration.customer_key
        ) <= {{ var('btyd_max_fit_customers') }} as is_in_fit_sample
    from calibration
    left join holdout
        on
            calibration.origin_index = holdout.origin_index
            and calibration.customer_key = holdout.customer_key
)

select * from final
