{%- set fiscal_start = var('fiscal_year_start_month') | int %}

with

bounds as (
    select
        cast({{ dbt.date_trunc('year', 'min(ordered_on)') }} as date) as first_day
    from {{ ref('int_orders__validated') }}
    where is_valid
),

days as (
    {{ date_spine(
        "(select first_day from bounds)",
        as_of_date(),
    ) }}
),

holidays as (
    select
        holiday_date,
        min(holiday_name) as holiday_name
    from {{ ref('stg_crm__holidays') }}
    where country_code = '{{ var("holiday_country_code") }}'
    group by holiday_date
),

calendar as (
    select
        date_day,
        cast(extract(year from date_day) as {{ dbt.type_int() }}) as calendar_year,
        cast(extract(month from date_day) as {{ dbt.type_int() }}) as month_of_year,
        cast(extract(day from date_day) as {{ dbt.type_int() }}) as day_of_month,
        cast(extract(quarter from date_day) as {{ dbt.type_int() }}) as quarter_of_year,
        cast({{ iso_date_part('isodow', 'date_day') }} as {{ dbt.type_int() }}) as iso_day_of_week,
        cast({{ iso_date_part('week', 'date_day') }} as {{ dbt.type_int() }}) as iso_week_of_year,
        cast({{ iso_date_part('isoyear', 'date_day') }} as {{ dbt.type_int() }}) as iso_year,
        cast({{ iso_date_part('doy', 'date_day') }} as {{ dbt.type_int() }}) as day_of_year
    from days
),

final as (
    select
        calendar.date_day,
        calendar.calendar_year,
        calendar.quarter_of_year,
        calendar.month_of_year,
        calendar.day_of_month,
        calendar.day_of_year,
        calendar.iso_day_of_week,
        calendar.iso_year,
        calendar.iso_week_of_year,
        {{ dbt.concat([
            "cast(calendar.iso_year as " ~ dbt.type_string() ~ ")",
            "'-W'",
            "lpad(cast(calendar.iso_week_of_year as " ~ dbt.type_string() ~ "), 2, '0')",
        ]) }} as iso_year_week,
        cast({{ dbt.dateadd('day', '1 - calendar.iso_day_of_week', 'calendar.date_day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'calendar.date_day') }} as date) as month_start,
        -- as_of_date's month is known only up to as_of_date.
        least(cast({{ dbt.last_day('calendar.date_day', 'month') }} as date), {{ as_of_date() }}) as month_end,
        cast({{ dbt.date_trunc('quarter', 'calendar.date_day') }} as date) as quarter_start,
        cast({{ dbt.date_trunc('year', 'calendar.date_day') }} as date) as year_start,
        calendar.calendar_year
        + case when calendar.month_of_year >= {{ fiscal_start }} and {{ fiscal_start }} > 1 then 1 else 0 end
            as fiscal_year,
        mod(calendar.month_of_year - {{ fiscal_start }} + 12, 12) + 1 as fiscal_period,
        cast(floor(mod(calendar.month_of_year - {{ fiscal_start }} + 12, 12) / 3) as {{ dbt.type_int() }}) + 1
            as fiscal_quarter,
        calendar.iso_day_of_week >= 6 as is_weekend,
        holidays.holiday_date is not null as is_holiday,
        holidays.holiday_name,
        calendar.date_day = cast({{ dbt.last_day('calendar.date_day', 'month') }} as date) as is_month_end
    from calendar
    left join holidays
        on calendar.date_day = holidays.holiday_date
)

select * from final
