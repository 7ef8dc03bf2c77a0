"""Users and their roles (用户与角色).

A user acts for at most one holder (the organisation or natural person it represents) and may
hold staff roles: examiner (审查员), registrar (登记管理员) and expert (评审专家).
"""
