with

customers as (
    select
        model_name,
        churn_decile,
        churn_probability,
        mean_yearly_contribution
    from {{ ref('fct_customer_churn_propensity') }}
),

deciles as (
    select
        model_name,
        churn_decile,
        count(*) as customers,
        min(churn_probability) as min_churn_probability,
        -- Summed as decimals: a floating-point sum depends on the order rows arrive in, and its
        -- last digits decided the rounding of expected_churners_saved differently in two builds.
        sum(cast(churn_probability as decimal(24, 12))) as expected_churners,
        sum(cast(churn_probability * mean_yearly_contribution as decimal(24, 6))) as expected_contribution_lost
    from customers
    group by
        model_name,
        churn_decile
),

cumulated as (
    select
        model_name,
        churn_decile as cutoff_decile,
        -- The lowest probability targeted: the score cutoff itself.
        min(min_churn_probability) over cumulative as min_churn_probability,
        sum(customers) over cumulative as customers_targeted,
        sum(expected_churners) over cumulative as expected_churners_caught,
        sum(expected_churners) over (partition by model_name) as expected_churners_total,
        sum(expected_contribution_lost) over cumulative as expected_contribution_lost
    from deciles
    window cumulative as (
        partition by model_name
        order by churn_decile
        rows between unbounded preceding and current row
    )
),

-- How much of the actual churners the same depth caught in the kept model's out-of-time test
-- at as_of_date: a check on the expected figures.
test_gains as (
    select
        model_name,
        decile,
        cumulative_gain
    from {{ ref('fct_predictive_model_deciles') }}
    where origin_date = {{ as_of_date() }}
),

benefits as (
    select
        cumulated.*,
        -- In cents (the money type) before the difference, so net benefit = margin saved - offer cost exactly.
        cast(
            {{ var('retention_offer_save_share') }} * cumulated.expected_contribution_lost as {{ type_money() }}
        ) as margin_saved,
        cast(cumulated.customers_targeted * {{ var('retention_offer_cost') }} as {{ type_money() }}) as offer_cost,
        test_gains.cumulative_gain as out_of_time_churner_capture
    from cumulated
    left join test_gains
        on
            cumulated.model_name = test_gains.model_name
            and cumulated.cutoff_decile = test_gains.decile
),

ranked_benefits as (
    select
        benefits.*,
        margin_saved - offer_cost as net_benefit,
        -- What adding this decile to the offer adds: deciles are not worth the same, so the best
        -- cutoff can leave out a decile that pays on its own.
        margin_saved - offer_cost - coalesce(lag(margin_saved - offer_cost) over (order by cutoff_decile), 0)
            as decile_net_benefit,
        row_number() over (order by margin_saved - offer_cost desc, cutoff_decile asc) as benefit_rank
    from benefits
),

final as (
    select
        cast(cutoff_decile as {{ dbt.type_int() }}) as cutoff_decile,
        {{ as_of_date() }} as as_of_date,
        model_name,
        min_churn_probability,
        cast(customers_targeted as {{ dbt.type_bigint() }}) as customers_targeted,
        {{ round_to('expected_churners_caught', 6) }} as expected_churners_caught,
        {{ round_to(safe_divide('expected_churners_caught', 'expected_churners_total'), 6) }}
            as expected_churner_share,
        {{ round_to('expected_churners_caught * ' ~ var('retention_offer_save_share'), 6) }}
            as expected_churners_saved,
        out_of_time_churner_capture,
        cast({{ var('retention_offer_cost') }} as {{ type_money() }}) as offer_cost_per_customer,
        cast({{ var('retention_offer_save_share') }} as {{ type_double() }}) as offer_save_share,
        offer_cost,
        margin_saved,
        cast(net_benefit as {{ type_money() }}) as net_benefit,
        cast(decile_net_benefit as {{ type_money() }}) as decile_net_benefit,
        -- The cutoff with the highest net benefit, if any cutoff pays at all.
        benefit_rank = 1 and net_benefit > 0 as is_best_cutoff
    from ranked_benefits
)

select * from final
