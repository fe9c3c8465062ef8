package dev.agentry.core.trigger;

import com.jayway.jsonpath.JsonPath;
import dev.agentry.core.engine.Engine;
import dev.agentry.core.engine.NotFound;
import dev.agentry.core.engine.PipelineVersion;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.pipeline.InvalidInputs;
import dev.agentry.core.pipeline.PipelineParser;
import dev.agentry.core.pipeline.Problem;
import dev.agentry.core.repo.RepositoryStore;
import dev.agentry.core.repo.SecretVault;
import dev.agentry.core.run.RunConflict;
import dev.agentry.core.trigger.Receipt.Refusal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The use cases of webhook triggers: define them, and turn a delivery into a run.
 *
 * <p>A delivery goes through, in order: the trigger (it exists) → the signature (over the raw body) → the switch
 * (enabled) → the delivery id → the payload (JSON) → the event filter → a redelivery answers with its first run →
 * the mapping → {@link Engine#start} with the idempotency key {@code webhook:<trigger>:<delivery id>} → the
 * delivery is recorded. Nothing is recorded for a refused or ignored delivery. Two copies of one delivery that
 * arrive at once both reach the engine, whose idempotency key makes them one run.
 */
public final class TriggerService {
    private static final Logger log = LoggerFactory.getLogger(TriggerService.class);
    /** Delivery ids are GUIDs at GitHub; anything printable and short enough to key a run will do. */
    static final Pattern DELIVERY_ID = Pattern.compile("[\\x21-\\x7e]{1,100}");
    private static final String PING = "ping";
    /** Where GitHub (and senders like it) say which action of an event happened: {@code opened}, {@code closed}. */
    private static final JsonPath ACTION = JsonPath.compile("$.action");

    private final TriggerStore triggers;
    private final Engine engine;
    private final RepositoryStore repositories;
    private final SecretVault secrets;
    private final SignatureVerifier verifier;
    private final Clock clock;

    public TriggerService(TriggerStore triggers, Engine engine, RepositoryStore repositories, SecretVault secrets,
                          SignatureVerifier verifier, Clock clock) {
        this.triggers = triggers;
        this.engine = engine;
        this.repositories = repositories;
        this.secrets = secrets;
        this.verifier = verifier;
        this.clock = clock;
    }

    // ---- defining triggers ---------------------------------------------------------------------

    /**
     * Checks a trigger against what it refers to (the pipeline and its inputs, the secret, the repository) and
     * saves it, replacing one of the same name.
     *
     * @throws InvalidTrigger naming each field at fault, as the API spells it
     */
    public Trigger save(Trigger trigger) {
        var problems = new ArrayList<Problem>();
        String ws = trigger.workspace();
        if (trigger.name() == null || !PipelineParser.NAME.matcher(trigger.name()).matches()) {
            problems.add(new Problem("name", "expected lower-case letters, digits, '-' or '_' (at most 63)"));
        }
        PayloadMapping.compile(trigger.inputs(), problems);
        for (int i = 0; i < trigger.events().size(); i++) {
            if (!Trigger.EVENT.matcher(trigger.events().get(i)).matches()) {
                problems.add(new Problem("events[" + i + "]", "expected an event name such as issues or push, "
                        + "or an event and an action such as issues.opened"));
            }
        }
        checkPipeline(trigger, problems);
        String secret = trigger.secretName() == null ? "" : secrets.reveal(ws, trigger.secretName()).orElse("");
        if (trigger.secretName() == null || trigger.secretName().isBlank()) {
            problems.add(new Problem("secret", "required: the name of the secret that signs deliveries"));
        } else if (secret.isEmpty()) {
            problems.add(new Problem("secret", "no secret named '" + trigger.secretName() + "' is set on this server; "
                    + "set it first (the same on every node), then save the trigger again"));
        }
        if (trigger.repository() != null && repositories.find(ws, trigger.repository()).isEmpty()) {
            problems.add(new Problem("repository", "no repository '" + trigger.repository() + "' is registered in workspace '"
                    + ws + "'"));
        }
        if (!problems.isEmpty()) {
            throw new InvalidTrigger(problems);
        }
        return triggers.save(new Trigger(ws, trigger.name(), trigger.pipeline(), trigger.format(), trigger.secretName(),
                trigger.inputs(), trigger.events(), trigger.repository(), trigger.enabled(), clock.instant()));
    }

    /** The pipeline exists now, takes every mapped input, and gets every input it requires (or has a default for). */
    private void checkPipeline(Trigger trigger, List<Problem> problems) {
        PipelineVersion latest;
        try {
            latest = engine.pipeline(trigger.workspace(), trigger.pipeline(), null);
        } catch (NotFound e) {
            problems.add(new Problem("pipeline", e.getMessage() + "; apply it first"));
            return;
        }
        var declared = latest.definition().inputs();
        for (String input : trigger.inputs().keySet()) {
            if (!declared.containsKey(input)) {
                problems.add(new Problem("inputs." + input, "pipeline '" + trigger.pipeline() + "' has no input '" + input + "'"
                        + (declared.isEmpty() ? "; it takes none" : "; it takes: " + String.join(", ", declared.keySet()))));
            }
        }
        for (var spec : declared.values()) {
            if (spec.required() && spec.defaultValue() == null && !trigger.inputs().containsKey(spec.name())) {
                problems.add(new Problem("inputs", "pipeline '" + trigger.pipeline() + "' requires input '" + spec.name()
                        + "'; map it from the payload, for example \"" + spec.name() + "\": \"$.some.field\""));
            }
        }
    }

    public Optional<Trigger> find(String workspace, String name) {
        return triggers.get(workspace, name);
    }

    public List<Trigger> list(String workspace) {
        return triggers.list(workspace);
    }

    public boolean delete(String workspace, String name) {
        return triggers.delete(workspace, name);
    }

    // ---- receiving deliveries ------------------------------------------------------------------

    /**
     * Handles one delivery.
     *
     * @param headers looks a request header up by name, ignoring case; null when absent
     * @param body    the body exactly as received: the signature covers these bytes
     */
    public Receipt receive(String workspace, String name, UnaryOperator<String> headers, byte[] body) {
        Receipt receipt = handle(workspace, name, headers, body);
        if (receipt instanceof Receipt.Refused r) {
            log.info("webhook {}/{} refused a delivery ({}): {}", workspace, name, r.refusal(), r.detail());
        }
        return receipt;
    }

    private Receipt handle(String workspace, String name, UnaryOperator<String> headers, byte[] body) {
        var found = triggers.get(workspace, name);
        if (found.isEmpty()) {
            return Receipt.refused(Refusal.UNKNOWN_TRIGGER, "trigger", "no trigger '" + name + "' in workspace '" + workspace + "'");
        }
        Trigger trigger = found.get();
        Trigger.Format format = trigger.format();
        String secret = secrets.reveal(workspace, trigger.secretName()).orElse("");
        if (secret.isEmpty()) {
            return Receipt.refused(Refusal.SECRET_UNAVAILABLE, "", "the trigger's secret is not set on this server");
        }
        var verdict = verifier.verify(format, secret, body, headers);
        if (!verdict.valid()) {
            return Receipt.refused(Refusal.BAD_SIGNATURE, format == Trigger.Format.GITHUB
                    ? SignatureVerifier.GITHUB_HEADER : SignatureVerifier.GENERIC_HEADER, verdict.problem());
        }
        if (!trigger.enabled()) {
            return Receipt.refused(Refusal.DISABLED, "", "trigger '" + name + "' is disabled");
        }
        String deliveryId = headers.apply(format.deliveryHeader());
        if (deliveryId == null || deliveryId.isBlank()) {
            return Receipt.refused(Refusal.BAD_DELIVERY, format.deliveryHeader(), "the delivery has no " + format.deliveryHeader()
                    + " header; each delivery needs an id, the same when it is sent again");
        }
        deliveryId = deliveryId.strip();
        if (!DELIVERY_ID.matcher(deliveryId).matches()) {
            return Receipt.refused(Refusal.BAD_DELIVERY, format.deliveryHeader(), format.deliveryHeader()
                    + " must be 1 to 100 printable characters without spaces");
        }
        String event = headers.apply(format.eventHeader());
        event = event == null || event.isBlank() ? null : event.strip();
        if (format == Trigger.Format.GITHUB && PING.equals(event)) {
            return new Receipt.Ignored("ping: the webhook reaches trigger '" + name + "'");
        }
        PayloadMapping.Payload payload;
        try {
            payload = PayloadMapping.parse(body);
        } catch (PayloadMapping.NotJson e) {
            return Receipt.refused(Refusal.BAD_DELIVERY, "body", e.getMessage());
        }
        if (!trigger.events().isEmpty() && !accepts(trigger, event, payload)) {
            String action = action(payload);
            return new Receipt.Ignored("event '" + (event == null ? "(none)" : event) + (action == null ? "" : "." + action)
                    + "' is not one of " + String.join(", ", trigger.events()));
        }
        Optional<Long> earlier = triggers.deliveredRun(workspace, name, deliveryId);
        if (earlier.isPresent()) {
            return new Receipt.Accepted(earlier.get(), true);
        }
        Map<String, String> inputs;
        try {
            inputs = PayloadMapping.compile(trigger.inputs()).apply(payload, new PayloadMapping.Hook(event, deliveryId));
        } catch (PayloadMapping.Unmappable e) {
            return Receipt.refused(Refusal.UNMAPPABLE, "inputs." + e.input(), e.getMessage());
        }
        Engine.Started started;
        try {
            started = engine.start(workspace, trigger.pipeline(), null, inputs, trigger.idempotencyKey(deliveryId),
                    trigger.repository());
        } catch (NotFound e) {
            return Receipt.refused(Refusal.NOT_STARTABLE, "pipeline", e.getMessage());
        } catch (InvalidInputs e) {
            return Receipt.refused(Refusal.NOT_STARTABLE, e.problems().get(0).field(), e.getMessage());
        } catch (InvalidDefinition e) {
            return Receipt.refused(Refusal.NOT_STARTABLE, e.problems().get(0).field(), e.getMessage());
        } catch (RunConflict e) {
            return Receipt.refused(Refusal.CONFLICT, format.deliveryHeader(), e.getMessage());
        }
        boolean recorded = triggers.recordDelivery(workspace, name, deliveryId, started.runId(), clock.instant());
        if (!recorded) {
            log.debug("webhook {}/{} delivery {} was recorded by a copy that arrived at the same moment", workspace, name, deliveryId);
        }
        return new Receipt.Accepted(started.runId(), !started.created());
    }

    /** Whether the trigger's filter takes the event: by its name, or by its name and the payload's action. */
    private static boolean accepts(Trigger trigger, String event, PayloadMapping.Payload payload) {
        if (event == null) {
            return false;
        }
        String action = action(payload);
        for (String allowed : trigger.events()) {
            if (allowed.equals(event) || (action != null && allowed.equals(event + "." + action))) {
                return true;
            }
        }
        return false;
    }

    private static String action(PayloadMapping.Payload payload) {
        return PayloadMapping.read(payload, ACTION);
    }
}
