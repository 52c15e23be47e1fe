with

source as (
    {{ collapse_exact_duplicates(source('crm', 'sales_reps'), [
        'sales_rep_id', 'first_name', 'last_name', 'team', 'region', 'country_code', 'hired_on',
    ]) }}
),

final as (
    select
        cast(sales_rep_id as {{ dbt.type_int() }}) as sales_rep_id,
        trim(first_name) as first_name,
        trim(last_name) as last_name,
        trim(team) as team,
        {{ default_unknown('region') }} as region,
        upper(trim(country_code)) as country_code,
        cast(hired_on as date) as hired_on,
        loaded_copies
    from source
)

select * from final
