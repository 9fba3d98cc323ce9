"""Leads: what each conversation says about the buyer or seller, their score, and the agents who follow them up."""
