"""Prediction figures: the churn-offer decision, how well the models predict, the behaviour clusters."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .spec import FigureSpec, label, layout, relation, values


def build_churn_offer(frame: pd.DataFrame) -> go.Figure:
    deciles = values(frame, "cutoff_decile")
    figure = go.Figure()
    figure.add_trace(go.Bar(x=deciles, y=values(frame, "margin_saved"), name="Margin the offer saves"))
    figure.add_trace(go.Bar(x=deciles, y=values(frame, "offer_cost"), name="Cost of the offers"))
    figure.add_trace(go.Scatter(x=deciles, y=values(frame, "net_benefit"), name="Net benefit",
                                mode="lines+markers"))
    return layout(figure, barmode="group", xaxis_title="Offer to the customers in churn-risk deciles 1 to ...",
                  xaxis_dtick=1, yaxis_title="Reporting currency")


CHURN_OFFER = FigureSpec(
    slug="churn-offer",
    title="Who to offer a retention deal: cost and margin saved by how deep we go",
    caption="Offering the deal to the riskiest customers first (decile 1 = highest churn probability): what it "
            "costs, the margin it is expected to keep, and the net benefit.",
    marts=("fct_churn_offer_cutoffs",),
    query=f"""
        select cutoff_decile, customers_targeted, expected_churners_caught, offer_cost, margin_saved, net_benefit
        from {relation('fct_churn_offer_cutoffs')}
        order by cutoff_decile""",
    build=build_churn_offer,
)


def build_model_accuracy(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for target in sorted(set(values(frame, "target"))):
        rows = frame[frame["target"] == target]
        figure.add_trace(go.Scatter(x=values(rows, "origin_date"), y=values(rows, "auc"), mode="lines+markers",
                                    name=f"{label(target)} (AUC)", customdata=values(rows, "top_decile_lift"),
                                    hovertemplate="AUC %{y:.3f}, top-decile lift %{customdata:.2f}"))
    figure.add_hline(y=0.5, line_dash="dot", annotation_text="a coin toss")
    return layout(figure, yaxis_title="AUC on customers the model had not seen", yaxis_range=[0.4, 1],
                  xaxis_title="Date the model was evaluated at (back-test)")


MODEL_ACCURACY = FigureSpec(
    slug="model-accuracy",
    title="How well do the predictions hold up?",
    caption="Out-of-time accuracy (AUC) of the churn and campaign-response models kept at each back-test date: "
            "1 would rank perfectly, 0.5 is a coin toss.",
    marts=("fct_predictive_model_performance",),
    query=f"""
        select target, origin_date, algorithm, auc, top_decile_lift, base_rate
        from {relation('fct_predictive_model_performance')}
        where is_chosen
        order by target, origin_date""",
    build=build_model_accuracy,
)


def build_clusters(frame: pd.DataFrame) -> go.Figure:
    names = [f"{number}: {name}" for number, name in zip(values(frame, "cluster_number"),
                                                             values(frame, "cluster_label"))]
    figure = go.Figure()
    figure.add_trace(go.Bar(y=names, x=values(frame, "customer_share"), name="Share of customers",
                            orientation="h"))
    figure.add_trace(go.Bar(y=names, x=values(frame, "revenue_share"), name="Share of revenue", orientation="h"))
    figure.add_trace(go.Bar(y=names, x=values(frame, "churned_share"), name="Share churned", orientation="h"))
    return layout(figure, barmode="group", xaxis_tickformat=".0%", yaxis_autorange="reversed")


CLUSTERS = FigureSpec(
    slug="clusters",
    title="Customer groups by behaviour",
    caption="Groups of buyers who behave alike (k-means on recency, frequency, basket, tenure, channel, range, "
            "discounts, tickets), named by their strongest traits.",
    marts=("rpt_cluster_profiles",),
    query=f"""
        select cluster_number, cluster_label, customers, customer_share, revenue_share, churned_share
        from {relation('rpt_cluster_profiles')}
        order by cluster_number""",
    build=build_clusters,
)
