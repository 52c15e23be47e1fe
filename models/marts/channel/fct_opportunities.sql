{%- set open_stages = ['prospecting', 'qualification', 'proposal', 'negotiation'] %}

with

opportunities as (
    select * from {{ ref('int_opportunities__as_of') }}
),

history as (
    select * from {{ ref('int_opportunities__stage_history') }}
),

stages as (
    select
        stage,
        stage_order,
        win_probability
    from {{ ref('opportunity_stages') }}
),

stage_thresholds as (
    select
        {% for stage in open_stages %}
        max(case when stage = '{{ stage }}' then stage_order end) as {{ stage }}_order,
        {% endfor %}
        count(*) as stage_count
    from stages
),

progress as (
    select
        opportunity_id,
        max(case when not is_closed then stage_order end) as furthest_open_stage_order,
        max(case when is_current_stage then stage end) as current_stage,
        max(case when is_current_stage and is_closed then entered_at end) as closed_at,
        count(case when stage = 'closed_lost' then 1 end) > 0
        and max(case when is_current_stage then stage end) != 'closed_lost' as was_reopened,
        sum(days_in_stage) as days_in_open_stages
    from history
    group by opportunity_id
),

final as (
    select
        opportunities.opportunity_id,
        opportunities.lead_id,
        opportunities.owner_sales_rep_id,
        opportunities.campaign_id,
        opportunities.source_channel_code,
        opportunities.created_at,
        cast({{ dbt.date_trunc('month', 'opportunities.created_at') }} as date) as created_month,
        cast(opportunities.amount as {{ type_money() }}) as amount,
        coalesce(progress.current_stage, 'prospecting') as current_stage,
        coalesce(progress.current_stage = 'closed_won', false) as is_won,
        coalesce(progress.current_stage = 'closed_lost', false) as is_lost,
        coalesce(progress.current_stage not in ('closed_won', 'closed_lost'), true) as is_open,
        coalesce(progress.was_reopened, false) as was_reopened,
        {% for stage in open_stages %}
        coalesce(progress.current_stage = 'closed_won', false)
        or coalesce(progress.furthest_open_stage_order, 0) >= stage_thresholds.{{ stage }}_order
            as reached_{{ stage }},
        {% endfor %}
        progress.closed_at,
        {{ periods_between('opportunities.created_at', 'progress.closed_at', 'day') }}
            as days_to_close,
        progress.days_in_open_stages,
        {{ to_money('opportunities.amount * current_stage_probability.win_probability') }} as weighted_amount
    from opportunities
    left join progress
        on opportunities.opportunity_id = progress.opportunity_id
    left join stages as current_stage_probability
        on coalesce(progress.current_stage, 'prospecting') = current_stage_probability.stage
    cross join stage_thresholds
)

select * from final
