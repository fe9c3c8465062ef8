package dev.agentry.bench.policy;

import dev.agentry.core.policy.Action;
import dev.agentry.core.policy.PolicyStore;
import dev.agentry.core.policy.PolicyVersion;
import dev.agentry.policy.CelPolicyEngine;
import dev.agentry.policy.Policies;
import dev.agentry.policy.PolicyParser;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How long a policy decision takes: {@link CelPolicyEngine#decide} with a 20-rule policy, on 1 and 2 threads,
 * after an unmeasured warm-up. Actions that no rule matches (the default decides: the slowest case), first as the
 * rules are written, where each names the kind it is about so only 3 to 5 are tried, then with the same rules
 * rewritten so that every condition is evaluated; and a mix in which a quarter of the actions match an early
 * rule. Each decision is timed on its own with {@code System.nanoTime}.
 *
 * <p>The store is in memory: the engine asks it for the latest version number once per recheck interval (2 s),
 * which against PostgreSQL is one primary-key lookup, so it would show at most in the top of the tail.
 * {@code -Dbench.policy.decisions=N} decisions measured per thread (default 1,000,000; the warm-up is half that).
 */
public final class PolicyBench {
    static final String WS = "bench";

    /** Twenty rules of the kinds people write: prefixes, regular expressions, lists, amounts, the run. */
    static final String POLICY = """
            name: bench
            default: allow
            rules:
              - {name: r01, when: 'action.kind == "run-command" && action.command.startsWith("sudo ")', decision: deny}
              - {name: r02, when: 'action.kind == "run-command" && action.command.matches("rm\\\\s+-[A-Za-z]*(rf|fr)")', decision: deny}
              - {name: r03, when: 'action.kind == "run-command" && action.command.contains("curl ") && action.command.contains("| sh")', decision: deny}
              - {name: r04, when: 'action.kind == "run-command" && action.command.split(" ").exists(w, w in ["mkfs", "dd", "shutdown"])', decision: deny}
              - {name: r05, when: 'action.kind == "git-push" && action.branch in ["main", "master", "release"]', decision: needs-approval}
              - {name: r06, when: 'action.kind == "git-push" && action.baseBranch == "main" && run.agent == "coder"', decision: needs-approval}
              - {name: r07, when: 'action.kind == "merge-pull-request" && action.baseBranch == "main"', decision: needs-approval}
              - {name: r08, when: 'action.kind == "open-pull-request" && action.repository.startsWith("infra-")', decision: needs-approval}
              - {name: r09, when: 'action.kind == "spend-call" && action.estimatedUsd > 5', decision: needs-approval}
              - {name: r10, when: 'action.kind == "spend-call" && action.model.startsWith("claude-opus") && run.agent != "planner"', decision: needs-approval}
              - {name: r11, when: 'action.kind == "spend-run" && action.runSpentUsd > 50', decision: deny}
              - {name: r12, when: 'action.kind == "spend-run" && action.runSpentUsd > 20', decision: needs-approval}
              - {name: r13, when: 'action.kind == "write-path" && !action.insideTree', decision: deny}
              - {name: r14, when: 'action.kind == "write-path" && action.path.endsWith(".github/workflows/ci.yml")', decision: needs-approval}
              - {name: r15, when: 'action.kind == "read-path" && !action.insideTree && action.path.startsWith("/etc/")', decision: deny}
              - {name: r16, when: 'action.kind == "call-host" && !(action.host in ["api.github.com", "registry.npmjs.org", "repo.maven.apache.org"])', decision: needs-approval}
              - {name: r17, when: 'action.kind == "call-host" && action.scheme != "https"', decision: deny}
              - {name: r18, when: 'action.kind == "lease-secret" && action.integration == "cloud" && run.pipeline != "deploy"', decision: deny}
              - {name: r19, when: 'run.agent == "intern" && action.kind in ["git-push", "merge-pull-request"]', decision: needs-approval}
              - {name: r20, when: 'run.workspace == "frozen"', decision: deny}
            """;

    private PolicyBench() {}

    public static void main(String[] args) throws Exception {
        int decisions = Integer.getInteger("bench.policy.decisions", 1_000_000);
        CelPolicyEngine engine = engine(POLICY);
        // the same rules, each written so that it does not name its kind at its top: every condition is evaluated
        CelPolicyEngine unnarrowed = engine(POLICY.replace("when: '", "when: 'false || "));

        var run = new Action.Context(WS, 42, "implement", "coder", "feature");
        List<Action> noMatch = List.of(
                new Action.RunCommand(run, "./mvnw -q test", "/work/tree"),
                new Action.GitPush(run, "shop", "fix-login", "develop"),
                new Action.SpendCall(run, "claude-sonnet", new BigDecimal("0.12")),
                new Action.WritePath(run, "src/Main.java", true));
        List<Action> mixed = List.of(
                new Action.RunCommand(run, "rm -rf build", "/work/tree"), // r02
                new Action.GitPush(run, "shop", "fix-login", "develop"),
                new Action.SpendCall(run, "claude-sonnet", new BigDecimal("0.12")),
                new Action.CallHost(run, "api.github.com", 443, "https"));
        for (Action a : noMatch) {
            check(engine.decide(WS, a).rule().equals("default"), "expected no rule to match " + a);
            check(unnarrowed.decide(WS, a).equals(engine.decide(WS, a)), "expected the same decision for " + a);
        }
        check(engine.decide(WS, mixed.get(0)).rule().equals("r02"), "expected r02 to deny rm -rf");

        System.out.printf("policy bench: %d cores, Java %s, %d rules, %,d decisions measured per thread after %,d of warm-up%n",
                Runtime.getRuntime().availableProcessors(), Runtime.version(), 20, decisions, decisions / 2);
        System.out.printf("compiling the 20-rule policy (parse, type-check, plan): %.2f ms (median of 50)%n", compileMillis());
        System.out.println();
        System.out.println("| actions | threads | p50 | p99 | p99.9 | max | decisions/s |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var scenario : List.of(
                new Scenario("no rule matches: the default decides (3 to 5 conditions tried)", engine, noMatch),
                new Scenario("no rule matches, every one of the 20 conditions evaluated", unnarrowed, noMatch),
                new Scenario("mixed: 1 in 4 matches rule 2", engine, mixed))) {
            for (int threads : new int[] {1, 2}) {
                measure(scenario.engine(), scenario.actions(), threads, decisions / 2); // warm-up
                long started = System.nanoTime();
                long[] latencies = measure(scenario.engine(), scenario.actions(), threads, decisions);
                double seconds = (System.nanoTime() - started) / 1e9;
                Arrays.sort(latencies);
                System.out.printf("| %s | %d | %s | %s | %s | %s | %,.0f |%n", scenario.name(), threads, micros(latencies, 0.50),
                        micros(latencies, 0.99), micros(latencies, 0.999), micros(latencies, 1.0), latencies.length / seconds);
            }
        }
    }

    record Scenario(String name, CelPolicyEngine engine, List<Action> actions) {}

    private static CelPolicyEngine engine(String policy) {
        var store = new MemoryStore();
        var engine = new CelPolicyEngine(store, Clock.systemUTC(), CelPolicyEngine.DEFAULT_RECHECK);
        new Policies(store, engine).apply(WS, policy);
        return engine;
    }

    /** Every decision's time in nanoseconds, from every thread. */
    private static long[] measure(CelPolicyEngine engine, List<Action> actions, int threads, int each) throws Exception {
        var barrier = new CyclicBarrier(threads);
        var pool = Executors.newFixedThreadPool(threads);
        try {
            var parts = new ArrayList<Future<long[]>>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                parts.add(pool.submit(() -> {
                    long[] times = new long[each];
                    int n = actions.size();
                    barrier.await();
                    for (int i = 0; i < each; i++) {
                        Action action = actions.get((i + offset) % n);
                        long start = System.nanoTime();
                        var decision = engine.decide(WS, action);
                        times[i] = System.nanoTime() - start;
                        if (decision == null) {
                            throw new IllegalStateException("no decision");
                        }
                    }
                    return times;
                }));
            }
            long[] all = new long[threads * each];
            for (int t = 0; t < threads; t++) {
                System.arraycopy(parts.get(t).get(), 0, all, t * each, each);
            }
            return all;
        } finally {
            pool.shutdownNow();
        }
    }

    private static double compileMillis() {
        long[] times = new long[50];
        for (int i = 0; i < times.length; i++) {
            long start = System.nanoTime();
            PolicyParser.compile(POLICY, 1);
            times[i] = System.nanoTime() - start;
        }
        Arrays.sort(times);
        return times[times.length / 2] / 1e6;
    }

    private static String micros(long[] sorted, double quantile) {
        int index = Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1);
        return String.format("%.1f µs", sorted[Math.max(0, index)] / 1e3);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException(message);
        }
    }

    /** One workspace's versions in memory: what the engine reads, without a database in the measurement. */
    private static final class MemoryStore implements PolicyStore {
        private final List<PolicyVersion> versions = new ArrayList<>();

        @Override
        public synchronized Applied apply(String workspace, String source, String digest) {
            var created = new PolicyVersion(workspace, versions.size() + 1, source, digest, Instant.now());
            versions.add(created);
            return new Applied(created, true);
        }

        @Override
        public synchronized int latestVersion(String workspace) {
            return versions.size();
        }

        @Override
        public synchronized Optional<PolicyVersion> latest(String workspace) {
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions.getLast());
        }

        @Override
        public synchronized Optional<PolicyVersion> version(String workspace, int version) {
            return version >= 1 && version <= versions.size() ? Optional.of(versions.get(version - 1)) : Optional.empty();
        }

        @Override
        public synchronized List<PolicyVersion> versions(String workspace) {
            return List.copyOf(versions).reversed();
        }
    }
}
