package dev.agentry.policy;

import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.PolicyDecision;
import dev.agentry.core.policy.PolicyEngine;
import dev.agentry.core.policy.PolicyStore;
import dev.agentry.core.policy.PolicyVersion;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides by each workspace's latest policy, compiled once per version and kept, so a decision is the evaluation
 * of pre-compiled programs and nothing else (see {@link CompiledPolicy} for what a condition that cannot be
 * evaluated does).
 *
 * <p>Which version is the latest is asked of the store at most once per {@code recheck} per workspace (a single
 * small query; one caller asks while the others keep deciding by the version they have). A policy applied on
 * another node is therefore in force here within {@code recheck}; one applied through {@link Policies} on this
 * node is in force at once. Every decision names the version that made it, so a run's record is exact either way.
 * If the store cannot be reached, decisions go on by the version already loaded; a workspace never loaded fails
 * the decision rather than guessing.
 */
public final class CelPolicyEngine implements PolicyEngine {
    public static final Duration DEFAULT_RECHECK = Duration.ofSeconds(2);
    /** Compiled versions kept beyond each workspace's latest: old versions looked at by operators. */
    private static final int MAX_COMPILED = 1_000;
    private static final Logger log = LoggerFactory.getLogger(CelPolicyEngine.class);

    private final PolicyStore store;
    private final Clock clock;
    private final long recheckMillis;
    private final ConcurrentHashMap<String, Current> current = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CompiledPolicy> compiled = new ConcurrentHashMap<>();

    private record Key(String workspace, int version) {}

    /** What a workspace's decisions use: its latest policy (null: none) as of {@code checkedAt}. */
    private record Current(CompiledPolicy policy, long checkedAt, AtomicBoolean checking) {
        int version() {
            return policy == null ? 0 : policy.version();
        }
    }

    public CelPolicyEngine(PolicyStore store, Clock clock, Duration recheck) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (recheck.isNegative()) {
            throw new IllegalArgumentException("recheck must not be negative, got " + recheck);
        }
        this.recheckMillis = recheck.toMillis();
    }

    @Override
    public PolicyDecision decide(String workspace, Action action) {
        if (!workspace.equals(action.context().workspace())) {
            throw new IllegalArgumentException("an action of workspace '" + action.context().workspace()
                    + "' put to the policy of workspace '" + workspace + "'");
        }
        CompiledPolicy policy = latest(workspace);
        return policy == null ? PolicyDecision.noPolicy() : policy.decide(action);
    }

    /** The workspace's latest policy, compiled; null when it has none. Rechecked with the store as described above. */
    public CompiledPolicy latest(String workspace) {
        long now = clock.millis();
        Current known = current.get(workspace);
        if (known == null) {
            return load(workspace, null, now).policy();
        }
        if (now - known.checkedAt() >= recheckMillis && known.checking().compareAndSet(false, true)) {
            try {
                return load(workspace, known, now).policy();
            } catch (RuntimeException e) {
                log.warn("could not check the policy of workspace '{}'; deciding by version {} meanwhile", workspace, known.version(), e);
                // try again after another interval, not on every decision while the store is away
                current.replace(workspace, known, new Current(known.policy(), now, new AtomicBoolean()));
            }
        }
        return known.policy();
    }

    /** A stored version, compiled; kept while it is the latest (older ones asked for are kept a while, within a bound). */
    public CompiledPolicy compiled(PolicyVersion version) {
        if (compiled.size() > MAX_COMPILED) {
            compiled.keySet().removeIf(key -> {
                Current c = current.get(key.workspace());
                return c == null || c.version() != key.version();
            });
        }
        return compiled.computeIfAbsent(new Key(version.workspace(), version.version()), k -> {
            try {
                return PolicyParser.compile(version.source(), version.version());
            } catch (RuntimeException e) {
                // validated when applied: only a change to the condition language could make a stored policy invalid
                throw new IllegalStateException("version " + version.version() + " of the policy of workspace '"
                        + version.workspace() + "' no longer compiles: " + e.getMessage(), e);
            }
        });
    }

    /** A version has just been stored on this node, compiled as it was validated: decide by it from now on. */
    void applied(String workspace, CompiledPolicy policy) {
        compiled.put(new Key(workspace, policy.version()), policy);
        replace(workspace, policy, clock.millis());
    }

    private Current load(String workspace, Current known, long now) {
        int latest = store.latestVersion(workspace);
        CompiledPolicy policy;
        if (known != null && known.version() == latest) {
            policy = known.policy();
        } else if (latest == 0) {
            policy = null;
        } else {
            policy = compiled(store.version(workspace, latest).orElseThrow(() ->
                    new IllegalStateException("version " + latest + " of the policy of workspace '" + workspace + "' vanished")));
        }
        return replace(workspace, policy, now);
    }

    /** Versions only grow: a check that read the store before an apply on this node must not undo it. */
    private Current replace(String workspace, CompiledPolicy policy, long now) {
        var fresh = new Current(policy, now, new AtomicBoolean());
        int version = fresh.version();
        int[] superseded = {0};
        Current kept = current.compute(workspace, (k, previous) -> {
            if (previous != null && previous.version() > version) {
                return previous;
            }
            superseded[0] = previous == null || previous.version() == version ? 0 : previous.version();
            return fresh;
        });
        if (superseded[0] > 0) {
            compiled.remove(new Key(workspace, superseded[0])); // compiled again if an operator asks for it
        }
        return kept;
    }
}
