-- One row per store with its city, region ('unknown' where the source had none) and
-- country.
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
