"""Deployment helpers: the hall-LAN certificate and the nginx front (README, 大会现场网络)."""
