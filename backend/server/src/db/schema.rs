// Diesel table definitions, kept in step with migrations/ by hand (reviewed with each migration).

diesel::table! {
    organisation (id) {
        id -> Uuid,
        name -> Text,
        default_country -> Text,
        currency -> Text,
        timezone -> Text,
        settings -> Jsonb,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    app_user (id) {
        id -> Uuid,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        active -> Bool,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    membership (org_id, user_id) {
        org_id -> Uuid,
        user_id -> Uuid,
        role -> Text,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    audit_event (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        actor_user_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        diff -> Nullable<Jsonb>,
        correlation_id -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    reference_counter (org_id, kind) {
        org_id -> Uuid,
        kind -> Text,
        last -> Int8,
    }
}

diesel::table! {
    annonce (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        reference -> Text,
        title -> Text,
        description -> Nullable<Text>,
        transaction_type -> Text,
        property_type -> Text,
        status -> Text,
        price_cents -> Nullable<Int8>,
        currency -> Text,
        surface_m2 -> Nullable<Float8>,
        rooms -> Nullable<Int4>,
        bedrooms -> Nullable<Int4>,
        bathrooms -> Nullable<Int4>,
        address -> Nullable<Text>,
        postal_code -> Nullable<Text>,
        city -> Nullable<Text>,
        latitude -> Nullable<Float8>,
        longitude -> Nullable<Float8>,
        features -> Jsonb,
        energy_class -> Nullable<Text>,
        climate_class -> Nullable<Text>,
        energy_cost_min -> Nullable<Int4>,
        energy_cost_max -> Nullable<Int4>,
        energy_cost_year -> Nullable<Int4>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        published_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    dossier (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        reference -> Text,
        annonce_id -> Nullable<Uuid>,
        lead_name -> Text,
        lead_phone -> Nullable<Text>,
        lead_email -> Nullable<Text>,
        whatsapp_user_id -> Nullable<Text>,
        source -> Text,
        dossier_type -> Text,
        status -> Text,
        assigned_to_user_id -> Nullable<Uuid>,
        budget_min_cents -> Nullable<Int8>,
        budget_max_cents -> Nullable<Int8>,
        notes -> Nullable<Text>,
        loss_reason -> Nullable<Text>,
        won_reason -> Nullable<Text>,
        status_comment -> Nullable<Text>,
        last_activity_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    dossier_status_history (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        dossier_id -> Uuid,
        from_status -> Text,
        to_status -> Text,
        reason -> Nullable<Text>,
        comment -> Nullable<Text>,
        changed_by_user_id -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    party (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        dossier_id -> Uuid,
        role -> Text,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        address -> Nullable<Text>,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    message (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        dossier_id -> Uuid,
        channel -> Text,
        direction -> Text,
        content -> Text,
        occurred_at -> Timestamptz,
        created_by_user_id -> Nullable<Uuid>,
        external_id -> Nullable<Text>,
        outbound_message_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    appointment (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        dossier_id -> Uuid,
        annonce_id -> Nullable<Uuid>,
        title -> Text,
        starts_at -> Timestamptz,
        ends_at -> Timestamptz,
        location -> Nullable<Text>,
        assigned_to_user_id -> Nullable<Uuid>,
        status -> Text,
        notes -> Nullable<Text>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::table! {
    consent (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        seq -> Int8,
        dossier_id -> Uuid,
        channel -> Text,
        purpose -> Text,
        status -> Text,
        source -> Text,
        proof -> Nullable<Text>,
        captured_at -> Timestamptz,
        captured_by_user_id -> Nullable<Uuid>,
        expires_at -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    activity (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        dossier_id -> Uuid,
        #[sql_name = "type"]
        activity_type -> Text,
        content -> Text,
        metadata -> Jsonb,
        created_by_user_id -> Nullable<Uuid>,
        occurred_at -> Timestamptz,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        version -> Int4,
    }
}

diesel::joinable!(membership -> organisation (org_id));
diesel::joinable!(membership -> app_user (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    organisation,
    app_user,
    membership,
    audit_event,
    reference_counter,
    annonce,
    dossier,
    dossier_status_history,
    party,
    message,
    appointment,
    consent,
    activity,
    whatsapp_settings,
    outbound_message,
    outbound_attempt,
);

// --- WhatsApp outbound (migration 000003) ---

diesel::table! {
    whatsapp_settings (org_id) {
        org_id -> Uuid,
        phone_number_id -> Text,
        access_token -> Text,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    outbound_message (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        dossier_id -> Uuid,
        channel -> Text,
        to_phone -> Text,
        template_code -> Nullable<Text>,
        template_language -> Nullable<Text>,
        template_params -> Nullable<Jsonb>,
        text -> Nullable<Text>,
        status -> Text,
        provider_message_id -> Nullable<Text>,
        attempt_count -> Int4,
        max_attempts -> Int4,
        budget_start -> Int4,
        next_attempt_at -> Nullable<Timestamptz>,
        lease_until -> Nullable<Timestamptz>,
        leased_by -> Nullable<Uuid>,
        dead_lettered -> Bool,
        last_error_code -> Nullable<Text>,
        last_error_message -> Nullable<Text>,
        idempotency_key -> Nullable<Text>,
        request_hash -> Nullable<Text>,
        created_by_user_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        sent_at -> Nullable<Timestamptz>,
        delivered_at -> Nullable<Timestamptz>,
        read_at -> Nullable<Timestamptz>,
        failed_at -> Nullable<Timestamptz>,
        version -> Int4,
    }
}

diesel::table! {
    outbound_attempt (org_id, id) {
        org_id -> Uuid,
        id -> Uuid,
        outbound_message_id -> Uuid,
        attempt_no -> Int4,
        worker_id -> Nullable<Uuid>,
        started_at -> Timestamptz,
        finished_at -> Timestamptz,
        outcome -> Text,
        http_status -> Nullable<Int4>,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
    }
}
