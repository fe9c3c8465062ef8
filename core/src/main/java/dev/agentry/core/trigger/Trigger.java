package dev.agentry.core.trigger;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A webhook that starts runs of a pipeline: deliveries to {@code /hooks/{workspace}/{name}} signed with the
 * named secret become runs whose inputs are mapped from the payload.
 *
 * @param format     how deliveries are signed and named (see {@link Format})
 * @param secretName the secret, by name in the {@code SecretVault}, that signs deliveries; never the secret itself
 * @param inputs     pipeline input name to expression, in order: a JSONPath ({@code $.issue.title}), or text with
 *                   {@code {{ $.path }}}, {@code {{ hook.event }}} and {@code {{ hook.delivery }}} references (a
 *                   constant when it has none); see {@link PayloadMapping}
 * @param events     the events that start runs ({@code issues}, or {@code issues.opened} for one action); empty for all
 * @param repository the registered repository runs work on; null for the pipeline's own
 * @param createdAt  when the trigger was first saved; null before it is
 */
public record Trigger(String workspace, String name, String pipeline, Format format, String secretName,
                      Map<String, String> inputs, List<String> events, String repository, boolean enabled,
                      Instant createdAt) {

    /** An entry of {@code events}: an event's name, or a name and one action ({@code issues.opened}). */
    public static final Pattern EVENT = Pattern.compile("[a-z0-9_]{1,64}(\\.[a-z0-9_]{1,64})?");

    public Trigger {
        inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        events = List.copyOf(events);
    }

    /** How a sender signs its deliveries and names them. */
    public enum Format {
        /**
         * GitHub's webhooks: {@code X-Hub-Signature-256: sha256=<hex>} over the body, the delivery in
         * {@code X-GitHub-Delivery}, the event in {@code X-GitHub-Event}.
         */
        GITHUB("X-GitHub-Delivery", "X-GitHub-Event"),
        /**
         * Any sender: {@code X-Agentry-Signature: t=<unix seconds>,v1=<hex>} over {@code "<t>.<body>"}, the delivery
         * in {@code X-Agentry-Delivery}, the event (optional) in {@code X-Agentry-Event}.
         */
        GENERIC("X-Agentry-Delivery", "X-Agentry-Event");

        private final String deliveryHeader;
        private final String eventHeader;

        Format(String deliveryHeader, String eventHeader) {
            this.deliveryHeader = deliveryHeader;
            this.eventHeader = eventHeader;
        }

        public String deliveryHeader() {
            return deliveryHeader;
        }

        public String eventHeader() {
            return eventHeader;
        }

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Format> fromWire(String name) {
            for (Format f : values()) {
                if (f.wireName().equals(name)) {
                    return Optional.of(f);
                }
            }
            return Optional.empty();
        }
    }

    /** The run's idempotency key for one delivery: a redelivery finds the run the first one started. */
    public String idempotencyKey(String deliveryId) {
        return "webhook:" + name + ":" + deliveryId;
    }
}
