with

stores as (
    select * from {{ ref('stg_crm__stores') }}
),

final as (
    select
        store_id,
        store_name,
        city,
        region,
        country_code,
        opened_on
    from stores
)

select * from final
