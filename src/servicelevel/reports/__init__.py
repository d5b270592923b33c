"""Assembling figures from evaluation results (pure, given data) and rendering them."""
