with

customers as (
    select * from {{ ref('int_customers__as_of') }}
),

final as (
    select
        customer_key,
        crm_customer_id,
        first_web_account_id,
        first_name,
        last_name,
        email,
        phone,
        birth_date
    from customers
)

select * from final
