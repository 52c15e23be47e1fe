with

tickets as (
    select
        cast({{ dbt.date_trunc('month', 'opened_on') }} as date) as month_start,
        channel_code,
        ticket_category,
        is_closed,
        resolution_hours,
        satisfaction_score,
        expectation_score
    from {{ ref('int_service_tickets__as_of') }}
),

final as (
    select
        {{ composite_key(['month_start', 'channel_code', 'ticket_category']) }} as service_load_id,
        month_start,
        channel_code,
        ticket_category,
        count(*) as tickets_opened,
        count(case when is_closed then 1 end) as tickets_closed,
        {{ round_to('avg(resolution_hours)', 6) }} as mean_resolution_hours,
        avg(cast(satisfaction_score as {{ type_double() }})) as mean_satisfaction_score,
        {{ safe_divide('avg(satisfaction_score)', 'avg(expectation_score)') }} as satisfaction_index,
        -- The sums and counts behind the means, so that months, channels and categories can be
        -- rolled up exactly (the metrics satisfaction_score and satisfaction_index do).
        count(satisfaction_score) as scored_tickets,
        cast(sum(satisfaction_score) as {{ dbt.type_bigint() }}) as satisfaction_score_total,
        count(expectation_score) as expectation_scored_tickets,
        cast(sum(expectation_score) as {{ dbt.type_bigint() }}) as expectation_score_total
    from tickets
    group by
        month_start,
        channel_code,
        ticket_category
)

select * from final
