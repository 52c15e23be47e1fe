with

reps as (
    select * from {{ ref('stg_crm__sales_reps') }}
),

funnel as (
    select
        owner_sales_rep_id,
        sum(leads) as leads,
        sum(opportunities) as opportunities,
        sum(won) as won,
        sum(lost) as lost,
        sum(won_amount) as won_amount,
        sum(pipeline_amount) as pipeline_amount,
        sum(weighted_pipeline) as weighted_pipeline,
        sum(won_days_to_close) as won_days_to_close
    from {{ ref('fct_sales_funnel') }}
    group by owner_sales_rep_id
),

handled_orders as (
    select
        sales_rep_id,
        count(*) as orders_handled,
        sum(recognized_net_revenue) as handled_net_revenue
    from {{ ref('int_orders__as_of') }}
    where sales_rep_id is not null
    group by sales_rep_id
),

final as (
    select
        reps.sales_rep_id,
        reps.team,
        reps.region,
        reps.country_code,
        cast(coalesce(funnel.leads, 0) as {{ dbt.type_bigint() }}) as leads,
        cast(coalesce(funnel.opportunities, 0) as {{ dbt.type_bigint() }}) as opportunities,
        cast(coalesce(funnel.won, 0) as {{ dbt.type_bigint() }}) as won,
        cast(coalesce(funnel.lost, 0) as {{ dbt.type_bigint() }}) as lost,
        {{ safe_divide('funnel.won', 'funnel.won + funnel.lost') }} as win_rate,
        cast(coalesce(funnel.won_amount, 0) as {{ type_money() }}) as won_amount,
        cast(coalesce(funnel.pipeline_amount, 0) as {{ type_money() }}) as pipeline_amount,
        cast(coalesce(funnel.weighted_pipeline, 0) as {{ type_money() }}) as weighted_pipeline,
        {{ safe_divide('funnel.won_days_to_close', 'funnel.won') }} as mean_days_to_win,
        coalesce(handled_orders.orders_handled, 0) as orders_handled,
        cast(coalesce(handled_orders.handled_net_revenue, 0) as {{ type_money() }}) as handled_net_revenue
    from reps
    left join funnel
        on reps.sales_rep_id = funnel.owner_sales_rep_id
    left join handled_orders
        on reps.sales_rep_id = handled_orders.sales_rep_id
)

select * from final
