with

leads as (
    select
        cast({{ dbt.date_trunc('month', 'created_at') }} as date) as funnel_month,
        source_channel_code,
        coalesce(cast(campaign_id as {{ dbt.type_string() }}), 'none') as campaign_key,
        owner_sales_rep_id,
        count(*) as leads,
        count(case when lead_status in ('qualified', 'converted') then 1 end) as qualified_leads,
        count(case when lead_status = 'converted' then 1 end) as converted_leads
    from {{ ref('int_leads__as_of') }}
    group by 1, 2, 3, 4
),

opportunities as (
    select
        created_month as funnel_month,
        source_channel_code,
        coalesce(cast(campaign_id as {{ dbt.type_string() }}), 'none') as campaign_key,
        owner_sales_rep_id,
        count(*) as opportunities,
        count(case when reached_qualification then 1 end) as reached_qualification,
        count(case when reached_proposal then 1 end) as reached_proposal,
        count(case when reached_negotiation then 1 end) as reached_negotiation,
        count(case when is_won then 1 end) as won,
        count(case when is_lost then 1 end) as lost,
        count(case when is_open then 1 end) as open_opportunities,
        sum(case when is_won then amount else 0 end) as won_amount,
        sum(case when is_won then days_to_close end) as won_days_to_close,
        sum(case when is_open then amount else 0 end) as pipeline_amount,
        sum(case when is_open then weighted_amount else 0 end) as weighted_pipeline
    from {{ ref('fct_opportunities') }}
    group by 1, 2, 3, 4
),

combined as (
    select
        coalesce(leads.funnel_month, opportunities.funnel_month) as funnel_month,
        coalesce(leads.source_channel_code, opportunities.source_channel_code) as source_channel_code,
        coalesce(leads.campaign_key, opportunities.campaign_key) as campaign_key,
        coalesce(leads.owner_sales_rep_id, opportunities.owner_sales_rep_id) as owner_sales_rep_id,
        coalesce(leads.leads, 0) as leads,
        coalesce(leads.qualified_leads, 0) as qualified_leads,
        coalesce(leads.converted_leads, 0) as converted_leads,
        coalesce(opportunities.opportunities, 0) as opportunities,
        coalesce(opportunities.reached_qualification, 0) as reached_qualification,
        coalesce(opportunities.reached_proposal, 0) as reached_proposal,
        coalesce(opportunities.reached_negotiation, 0) as reached_negotiation,
        coalesce(opportunities.won, 0) as won,
        coalesce(opportunities.lost, 0) as lost,
        coalesce(opportunities.open_opportunities, 0) as open_opportunities,
        coalesce(opportunities.won_amount, 0) as won_amount,
        coalesce(opportunities.won_days_to_close, 0) as won_days_to_close,
        coalesce(opportunities.pipeline_amount, 0) as pipeline_amount,
        coalesce(opportunities.weighted_pipeline, 0) as weighted_pipeline
    from leads
    full outer join opportunities
        on
            leads.funnel_month = opportunities.funnel_month
            and leads.source_channel_code = opportunities.source_channel_code
            and leads.campaign_key = opportunities.campaign_key
            and leads.owner_sales_rep_id = opportunities.owner_sales_rep_id
),

final as (
    select
        {{ composite_key(
            ['funnel_month', 'source_channel_code', 'campaign_key', 'owner_sales_rep_id'], '|',
        ) }} as funnel_row_id,
        funnel_month,
        source_channel_code,
        campaign_key,
        owner_sales_rep_id,
        leads,
        qualified_leads,
        converted_leads,
        opportunities,
        reached_qualification,
        reached_proposal,
        reached_negotiation,
        won,
        lost,
        open_opportunities,
        {{ safe_divide('qualified_leads', 'leads') }} as lead_qualification_rate,
        {{ safe_divide('reached_qualification', 'opportunities') }} as prospecting_to_qualification_rate,
        {{ safe_divide('reached_proposal', 'reached_qualification') }} as qualification_to_proposal_rate,
        {{ safe_divide('reached_negotiation', 'reached_proposal') }} as proposal_to_negotiation_rate,
        {{ safe_divide('won', 'won + lost') }} as win_rate,
        cast(won_amount as {{ type_money() }}) as won_amount,
        cast(won_days_to_close as {{ dbt.type_bigint() }}) as won_days_to_close,
        cast(pipeline_amount as {{ type_money() }}) as pipeline_amount,
        cast(weighted_pipeline as {{ type_money() }}) as weighted_pipeline
    from combined
)

select * from final
