from django.urls import path, re_path

from dataip.web import verify, views
from dataip.web.views import (
    account,
    applicant,
    bank,
    examiner,
    exchange,
    expert,
    feeds,
    files,
    identity,
    metadata,
    notifications,
    objections,
    organisation,
    public,
    rights,
    rules,
    staff_accounts,
    statistics,
    trade_reports,
    transfers,
    webhooks,
)
from dataip.web.views import help as help_views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("verify", verify.verify, name="verify"),
    path("verify/ca.pem", verify.ca_certificate, name="verify-ca"),
    path("verify/<str:number>", verify.verify_number, name="verify-number"),
    path("verify/<str:number>/bundle.json", verify.verify_bundle, name="verify-bundle"),
    # The public
    path("search", public.search_page, name="search"),
    # Open metadata (docs/metadata.md)
    re_path(
        r"^registry/(?P<number>[^/]+)\.(?P<suffix>ttl|jsonld)$",
        metadata.registration_dcat,
        name="registration-as",
    ),
    path("registry/<str:number>", public.registration, name="registration"),
    path(
        "registry/<str:number>/croissant.json",
        metadata.registration_croissant,
        name="registration-croissant",
    ),
    path("catalogue", metadata.catalogue, name="catalogue"),
    re_path(r"^catalogue\.(?P<suffix>ttl|jsonld)$", metadata.catalogue, name="catalogue-as"),
    re_path(r"^reference/(?P<name>[a-z0-9]+)$", metadata.concept_scheme, name="concept-scheme"),
    re_path(
        r"^reference/(?P<name>[a-z0-9]+)\.(?P<suffix>ttl|jsonld)$",
        metadata.concept_scheme,
        name="concept-scheme-as",
    ),
    path("announcements", public.announcements, name="announcements"),
    path("announcements/<str:number>/objection", public.objection, name="objection"),
    # The public event feeds (docs/platforms.md)
    path("feed.atom", feeds.atom, name="feed-atom"),
    path("feed.json", feeds.json_feed, name="feed-json"),
    path("statistics", statistics.statistics, name="statistics"),
    path("help/", help_views.help_centre, name="help"),
    path("help/templates/<str:material>.md", help_views.material_template, name="help-template"),
    path("statistics.csv", statistics.statistics_csv, name="statistics-csv"),
    # Objections, both sides: the objector's own, the holder's answer, the files
    path("objections/", objections.mine, name="my-objections"),
    path("objections/<str:reference>", objections.my_objection, name="my-objection"),
    path(
        "objections/<int:objection_id>/files/<int:file_id>",
        objections.objection_file,
        name="objection-file",
    ),
    path(
        "objections/<int:objection_id>/answer-files/<int:file_id>",
        objections.answer_file,
        name="answer-file",
    ),
    path(
        "applications/<int:application_id>/objections/<int:objection_id>",
        objections.answer,
        name="answer-objection",
    ),
    # Accounts
    path("account/signup", account.signup, name="signup"),
    path("account/login", account.sign_in, name="login"),
    path("account/logout", account.sign_out, name="logout"),
    path("account/two-factor", account.otp, name="otp"),
    path("account/verification", account.verification, name="verification"),
    path("account/", account.profile, name="profile"),
    path("account/verify-email", account.resend_verification, name="resend-verification"),
    path("account/verify-email/<str:token>", account.verify_email, name="verify-email"),
    path("account/recovery-codes", account.regenerate_recovery_codes, name="recovery-codes"),
    path("account/password", account.password_change, name="password-change"),
    path("account/password/reset", account.password_reset, name="password-reset"),
    path("account/password/reset/sent", account.password_reset_sent, name="password-reset-sent"),
    path(
        "account/password/reset/<uidb64>/<token>",
        account.password_reset_confirm,
        name="password-reset-confirm",
    ),
    path(
        "account/password/reset/done",
        account.password_reset_complete,
        name="password-reset-complete",
    ),
    path("account/enrol/<str:uidb64>/<str:token>", account.enrol, name="enrol"),
    path("account/enrol/<str:uidb64>/<str:token>/qr.svg", account.enrol_qr, name="enrol-qr"),
    path("account/tokens", account.api_tokens, name="api-tokens"),
    path(
        "account/notifications/settings",
        notifications.preferences,
        name="notification-settings",
    ),
    path("notifications/", notifications.centre, name="notifications"),
    path("notifications/read", notifications.mark_all_read, name="notifications-read-all"),
    path("notifications/<int:notice_id>/read", notifications.mark_read, name="notification-read"),
    path("account/tokens/<int:token_id>/revoke", account.revoke_api_token, name="revoke-api-token"),
    path("account/tokens/<int:token_id>/rotate", account.rotate_api_token, name="rotate-api-token"),
    path("account/organisation/", organisation.organisation, name="organisation"),
    path("account/organisation/invite", organisation.invite, name="organisation-invite"),
    path(
        "account/organisation/members/<int:member_id>/role",
        organisation.change_role,
        name="organisation-role",
    ),
    path(
        "account/organisation/members/<int:member_id>/remove",
        organisation.remove_member,
        name="organisation-remove",
    ),
    path(
        "account/organisation/invitations/<int:invitation_id>/withdraw",
        organisation.withdraw_invitation,
        name="organisation-withdraw",
    ),
    path("account/organisation/activity", organisation.activity, name="organisation-activity"),
    # The organisation's webhooks (docs/platforms.md)
    path("account/webhooks", webhooks.webhooks, name="webhooks"),
    path("account/webhooks/<int:subscription_id>", webhooks.webhook, name="webhook"),
    path(
        "account/webhooks/<int:subscription_id>/active", webhooks.set_active, name="webhook-active"
    ),
    path("account/webhooks/<int:subscription_id>/ping", webhooks.ping, name="webhook-ping"),
    path("account/webhooks/<int:subscription_id>/rotate", webhooks.rotate, name="webhook-rotate"),
    path("account/webhooks/<int:subscription_id>/delete", webhooks.delete, name="webhook-delete"),
    path(
        "account/invitation/<str:secret>", organisation.accept_invitation, name="accept-invitation"
    ),
    # Applicants
    path("applications/", applicant.my_applications, name="my-applications"),
    path("applications/new", applicant.new_application, name="new-application"),
    path("applications/<int:application_id>", applicant.application, name="application"),
    path(
        "applications/<int:application_id>/steps/<str:step>",
        applicant.application_step,
        name="application-step",
    ),
    path(
        "applications/<int:application_id>/materials/<int:material_id>/remove",
        applicant.remove_material,
        name="remove-material",
    ),
    path("applications/<int:application_id>/submit", applicant.submit, name="submit"),
    path(
        "applications/<int:application_id>/application.pdf",
        applicant.application_copy,
        name="application-copy",
    ),
    path("applications/<int:application_id>/withdraw", applicant.withdraw, name="withdraw"),
    path(
        "applications/<int:application_id>/materials/<int:material_id>",
        files.material,
        name="material",
    ),
    path(
        "applications/<int:application_id>/certificates/<int:version>.pdf",
        files.certificate,
        name="certificate",
    ),
    # A registered right's holder, and the licensee
    path("applications/<int:application_id>/rights/", rights.manage, name="rights"),
    path("applications/<int:application_id>/rights/licence", rights.licence, name="rights-licence"),
    path(
        "applications/<int:application_id>/rights/licences/<int:licence_id>/end",
        rights.end_licence,
        name="rights-end-licence",
    ),
    path("applications/<int:application_id>/rights/trade", rights.trade, name="rights-trade"),
    path("applications/<int:application_id>/rights/revenue", rights.revenue, name="rights-revenue"),
    path("applications/<int:application_id>/rights/change", rights.change, name="rights-change"),
    path("applications/<int:application_id>/rights/renewal", rights.renew, name="rights-renew"),
    path("applications/<int:application_id>/rights/cancel", rights.cancel, name="rights-cancel"),
    path(
        "applications/<int:application_id>/rights/consent",
        rights.request_consent,
        name="rights-consent",
    ),
    path(
        "applications/<int:application_id>/rights/valuation",
        rights.valuation,
        name="rights-valuation",
    ),
    path("licences/", rights.granted, name="licences-granted"),
    # Banks and other lenders
    path("bank/encumbrances", bank.encumbrances, name="encumbrances"),
    path(
        "bank/encumbrances/<str:number>/statement.pdf",
        bank.statement_pdf,
        name="encumbrance-statement",
    ),
    path(
        "pledges/<int:pledge_id>/certificate.pdf",
        bank.pledge_certificate_pdf,
        name="pledge-certificate",
    ),
    path("bank/pledges/", bank.pledges, name="bank-pledges"),
    path("bank/pledges/new", bank.new_pledge, name="bank-new-pledge"),
    path("bank/pledges/<int:pledge_id>/release", bank.release, name="bank-release"),
    path("bank/pledges/<int:pledge_id>/consent", bank.consent, name="bank-consent"),
    path("bank/consents", bank.consents, name="bank-consents"),
    path("bank/consents/<int:request_id>/give", bank.give_consent, name="bank-consent-give"),
    path("bank/consents/<int:request_id>/refuse", bank.refuse_consent, name="bank-consent-refuse"),
    # Holders: pledges waiting for their confirmation
    path("pledges/waiting", bank.waiting, name="pledges-waiting"),
    path("pledges/<int:pledge_id>/confirm", bank.confirm, name="pledge-confirm"),
    path("pledges/<int:pledge_id>/decline", bank.decline, name="pledge-decline"),
    # Transfers: the holder proposes and withdraws; the assignee and joint holders confirm
    path(
        "applications/<int:application_id>/rights/transfer",
        transfers.propose,
        name="rights-transfer",
    ),
    path(
        "applications/<int:application_id>/rights/transfers/<int:transfer_id>/withdraw",
        transfers.withdraw,
        name="rights-transfer-withdraw",
    ),
    path("transfers/waiting", transfers.waiting, name="transfers-waiting"),
    path("transfers/<int:transfer_id>/confirm", transfers.confirm, name="transfer-confirm"),
    path("transfers/<int:transfer_id>/decline", transfers.decline, name="transfer-decline"),
    # Examiners and the registrar
    path("staff/", examiner.staff_home, name="staff-home"),
    path("examine/staff", staff_accounts.staff_list, name="staff-accounts"),
    path(
        "examine/staff/<int:staff_id>/deactivate",
        staff_accounts.deactivate,
        name="staff-deactivate",
    ),
    path(
        "examine/staff/<int:staff_id>/enrolment",
        staff_accounts.resend_enrolment,
        name="staff-resend-enrolment",
    ),
    path("staff/rules", rules.rules, name="rules"),
    path("examine/", examiner.queue, name="queue"),
    path("examine/views", examiner.save_view, name="save-view"),
    path("examine/views/<int:view_id>/delete", examiner.delete_view, name="delete-view"),
    path("examine/dashboard", examiner.dashboard, name="dashboard"),
    path(
        "examine/staff/<int:staff_id>/expertise", staff_accounts.expertise, name="staff-expertise"
    ),
    path("examine/changes", examiner.change_queue, name="change-queue"),
    path("examine/statistics", statistics.staff_statistics, name="staff-statistics"),
    path("examine/organisations", identity.queue, name="organisation-queue"),
    path(
        "examine/organisations/<str:kind>/<int:case_id>",
        identity.case,
        name="organisation-case",
    ),
    path(
        "examine/organisations/<str:kind>/<int:case_id>/documents/<int:document_id>",
        identity.document,
        name="organisation-document",
    ),
    path("examine/objections", objections.queue, name="objection-queue"),
    path("examine/changes/<int:change_id>", examiner.change_request, name="change-request"),
    path("examine/<int:application_id>", examiner.case, name="case"),
    path("examine/<int:application_id>/revoke", examiner.revoke, name="revoke"),
    path(
        "applications/<int:application_id>/decision-files/<int:file_id>",
        examiner.decision_file,
        name="decision-file",
    ),
    path("examine/<int:application_id>/correct", examiner.correct, name="correct"),
    path("examine/<int:application_id>/reissue", examiner.reissue, name="reissue"),
    path("examine/pending", examiner.pending, name="pending-requests"),
    path("examine/<int:application_id>/act", examiner.act, name="act"),
    path("examine/<int:application_id>/assign", examiner.assign, name="assign"),
    path(
        "examine/objections/<int:objection_id>/decide",
        examiner.decide_objection,
        name="decide-objection",
    ),
    path(
        "examine/objections/<int:objection_id>/evidence/<int:evidence_id>",
        files.evidence,
        name="evidence",
    ),
    # Experts
    path("review/", expert.reviews, name="reviews"),
    path("review/<int:application_id>", expert.review, name="review"),
    # A data exchange's listings and fast lane (web/views/exchange.py)
    path("exchange/", exchange.home, name="exchange"),
    path("exchange/listings/new", exchange.new_listing, name="exchange-new-listing"),
    path("exchange/listings/<int:listing_id>/", exchange.edit_listing, name="exchange-listing"),
    path("exchange/listings/<int:listing_id>/end", exchange.delist, name="exchange-delist"),
    path("exchange/referrals/new", exchange.new_referral, name="exchange-new-referral"),
    path(
        "exchange/referrals/<int:referral_id>/withdraw",
        exchange.withdraw_referral,
        name="exchange-withdraw-referral",
    ),
    path("referrals/<int:referral_id>/", exchange.referral, name="referral"),
    path("referrals/<int:referral_id>/decline", exchange.decline_referral, name="referral-decline"),
]
urlpatterns += [
    # Trade reports (交易所交易报送): the exchange, the holder disputing, the registrar
    path("exchange/trades", trade_reports.reports, name="exchange-trades"),
    path("exchange/trades/new", trade_reports.new_report, name="exchange-new-trade"),
    path("exchange/trades/<int:trade_id>", trade_reports.report, name="exchange-trade"),
    path(
        "applications/<int:application_id>/rights/trade-reports/<int:trade_id>/dispute",
        trade_reports.dispute,
        name="rights-dispute-trade",
    ),
    path("examine/trade-reports", trade_reports.disputed, name="disputed-trades"),
]

# Platforms: the display widget and the bulk export (docs/platforms.md)
from dataip.web.views import badge, exports  # noqa: E402

urlpatterns += [
    path("registry/<str:number>/badge.svg", badge.badge_svg, name="badge-svg"),
    path("registry/<str:number>/badge.html", badge.badge_html, name="badge-html"),
    path("registry/<str:number>/embed", badge.embed, name="embed"),
    path("exports/", exports.exports_page, name="exports"),
    path("exports/registrations.jsonl", exports.registrations_jsonl, name="export-jsonl"),
    path("exports/registrations.csv", exports.registrations_csv, name="export-csv"),
    path("exports/snapshots/<str:name>", exports.snapshot, name="export-snapshot"),
]
