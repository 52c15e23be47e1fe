with

source as (
    {{ collapse_exact_duplicates(source('crm', 'service_tickets'), [
        'ticket_id', 'customer_id', 'channel', 'category', 'priority', 'opened_at', 'closed_at',
        'satisfaction_score', 'expectation_score',
    ]) }}
),

renamed as (
    select
        cast(ticket_id as {{ dbt.type_int() }}) as ticket_id,
        cast(customer_id as {{ dbt.type_int() }}) as customer_id,
        {{ default_unknown('channel') }} as channel_code,
        lower(trim(category)) as ticket_category,
        lower(trim(priority)) as priority,
        {{ to_utc_timestamp('opened_at') }} as opened_at,
        {{ to_utc_timestamp('closed_at') }} as closed_at,
        cast(satisfaction_score as {{ dbt.type_int() }}) as satisfaction_score,
        cast(expectation_score as {{ dbt.type_int() }}) as expectation_score,
        loaded_copies
    from source
),

validated as (
    select
        *,
        case
            when closed_at < opened_at then 'closed_before_opened'
            when satisfaction_score not between 1 and 5 then 'satisfaction_score_out_of_range'
            when expectation_score not between 1 and 5 then 'expectation_score_out_of_range'
        end as rejection_reason
    from renamed
),

final as (
    select
        ticket_id,
        customer_id,
        channel_code,
        ticket_category,
        priority,
        opened_at,
        closed_at,
        closed_at is not null as is_closed,
        satisfaction_score,
        expectation_score,
        rejection_reason is null as is_valid,
        rejection_reason,
        loaded_copies
    from validated
)

select * from final
