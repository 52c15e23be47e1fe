with

source as (
    {{ collapse_exact_duplicates(source('crm', 'holidays'), [
        'holiday_date', 'holiday_name', 'country_code',
    ]) }}
),

final as (
    select
        {{ dbt.concat([
            "holiday_date", "'-'", "upper(trim(country_code))", "'-'", "trim(holiday_name)",
        ]) }} as holiday_id,
        cast(holiday_date as date) as holiday_date,
        trim(holiday_name) as holiday_name,
        upper(trim(country_code)) as country_code,
        loaded_copies
    from source
)

select * from final
