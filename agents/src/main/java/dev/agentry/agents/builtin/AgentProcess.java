package dev.agentry.agents.builtin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.agentry.agents.model.ModelProvider;
import dev.agentry.core.agent.ProviderEndpoint;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * What {@code agentry agent} does inside a runner's working tree: reads its instructions from the environment
 * the harness set, runs the built-in agent, writes its outputs and answers an exit code. It never exits the JVM
 * itself and never prints a value from the environment.
 *
 * <table>
 *   <caption>Environment</caption>
 *   <tr><td>{@code AGENTRY_AGENT}</td><td>the {@link AgentSettings} as JSON</td></tr>
 *   <tr><td>{@code AGENTRY_PROMPT}</td><td>the task</td></tr>
 *   <tr><td>{@code AGENTRY_MODEL_API}</td><td>{@code anthropic} (with {@code ANTHROPIC_BASE_URL},
 *       {@code ANTHROPIC_API_KEY}) or {@code openai} (with {@code OPENAI_BASE_URL}, {@code OPENAI_API_KEY})</td></tr>
 *   <tr><td>{@code AGENTRY_GATEWAY_URL}</td><td>where checkpoints are kept, with the same token</td></tr>
 *   <tr><td>{@code AGENTRY_ANSWER}</td><td>a human's answer when resuming after a question; optional</td></tr>
 *   <tr><td>{@code AGENTRY_OUTPUTS}</td><td>a file to write the step's outputs to, one JSON object of strings</td></tr>
 * </table>
 *
 * <p>Exit codes: {@link #EXIT_DONE} when finished (outputs {@code answer} and the agent's own) or when it asked a
 * human (output {@code question}); {@link #EXIT_PAUSED} when a budget is spent; {@link #EXIT_FAILED} when it was
 * stopped by a limit, failed, or was started wrongly, with one line on stderr saying why.
 */
public final class AgentProcess {
    public static final int EXIT_DONE = 0;
    public static final int EXIT_FAILED = 1;
    /** EX_TEMPFAIL: nothing is wrong, try again later. */
    public static final int EXIT_PAUSED = 75;

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AgentProcess() {}

    /** What the environment says to do. */
    private record Launch(AgentSettings settings, String prompt, ProviderChoice provider, String answer, Path outputs, URI gateway) {}

    /** Runs with checkpoints kept by the server behind {@code AGENTRY_GATEWAY_URL}. */
    public static int run(Map<String, String> env, Path workdir, Function<ProviderChoice, ModelProvider> providers,
                          PrintStream out, PrintStream err) {
        Launch launch;
        URI gateway;
        try {
            launch = launch(env);
            gateway = uri(env, "AGENTRY_GATEWAY_URL");
        } catch (IllegalArgumentException e) {
            return fail(err, e.getMessage());
        }
        return run(launch, workdir, providers, new HttpCheckpoints(gateway, launch.provider().token()),
                Clock.systemUTC(), out, err);
    }

    /** Runs with the given checkpoints and clock; {@code AGENTRY_GATEWAY_URL} is not read. */
    public static int run(Map<String, String> env, Path workdir, Function<ProviderChoice, ModelProvider> providers,
                          Checkpoints checkpoints, Clock clock, PrintStream out, PrintStream err) {
        Launch launch;
        try {
            launch = launch(env);
        } catch (IllegalArgumentException e) {
            return fail(err, e.getMessage());
        }
        return run(launch, workdir, providers, checkpoints, clock, out, err);
    }

    private static int run(Launch launch, Path workdir, Function<ProviderChoice, ModelProvider> providers,
                           Checkpoints checkpoints, Clock clock, PrintStream out, PrintStream err) {
        AgentResult result;
        try {
            ModelProvider model = providers.apply(launch.provider());
            BuiltinAgent agent = new BuiltinAgent(launch.settings(), model,
                    policy(launch, new CommandAllowList(launch.settings().commands())), clock, turn -> out.println(turn.line()));
            out.println("agent: model " + launch.settings().model() + " over " + launch.provider().api().wireName()
                    + (launch.answer() == null ? "" : ", resuming with a human's answer"));
            result = agent.run(launch.prompt(), workdir, checkpoints, launch.answer());
        } catch (RuntimeException e) {
            return fail(err, "agent crashed: " + oneLine(String.valueOf(e)));
        }
        return switch (result) {
            case AgentResult.Finished f -> {
                Map<String, String> outputs = new LinkedHashMap<>(f.outputs());
                outputs.put("answer", f.answer());
                out.println("agent finished after " + f.turns() + " turns (" + (f.total().prompt() + f.total().output())
                        + " tokens)");
                yield write(launch.outputs(), outputs, err) ? EXIT_DONE : EXIT_FAILED;
            }
            case AgentResult.Asked a -> {
                out.println("agent asked a human a question");
                yield write(launch.outputs(), Map.of("question", a.question()), err) ? EXIT_DONE : EXIT_FAILED;
            }
            case AgentResult.Paused p -> {
                out.println("agent paused: " + oneLine(p.message()));
                yield EXIT_PAUSED;
            }
            case AgentResult.Stopped s -> fail(err, "agent stopped: " + s.reason().text() + ": " + oneLine(s.diagnostic()));
            case AgentResult.Failed f -> fail(err, "agent failed: " + oneLine(f.message()));
        };
    }

    /** The allow-list, and the workspace's policy when the server's gateway is known (it always is on a runner). */
    private static CommandPolicy policy(Launch launch, CommandPolicy allowList) {
        return launch.gateway() == null ? allowList
                : ServerCommandPolicy.both(allowList, new ServerCommandPolicy(launch.gateway(), launch.provider().token()));
    }

    private static Launch launch(Map<String, String> env) {
        AgentSettings settings = AgentSettings.fromJson(required(env, "AGENTRY_AGENT"));
        String prompt = required(env, "AGENTRY_PROMPT");
        String api = required(env, "AGENTRY_MODEL_API");
        ProviderChoice provider = switch (api) {
            case "anthropic" -> new ProviderChoice(ProviderEndpoint.Api.ANTHROPIC, uri(env, "ANTHROPIC_BASE_URL"),
                    required(env, "ANTHROPIC_API_KEY"));
            case "openai" -> new ProviderChoice(ProviderEndpoint.Api.OPENAI, uri(env, "OPENAI_BASE_URL"),
                    required(env, "OPENAI_API_KEY"));
            default -> throw new IllegalArgumentException("AGENTRY_MODEL_API: expected anthropic or openai");
        };
        String answer = env.get("AGENTRY_ANSWER");
        String outputs = env.get("AGENTRY_OUTPUTS");
        String gateway = env.get("AGENTRY_GATEWAY_URL");
        return new Launch(settings, prompt, provider, answer, outputs == null || outputs.isBlank() ? null : Path.of(outputs),
                gateway == null || gateway.isBlank() ? null : URI.create(gateway));
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value;
    }

    private static URI uri(Map<String, String> env, String name) {
        String value = required(env, name);
        try {
            URI uri = URI.create(value);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException();
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": expected an http(s) URL");
        }
    }

    /** Writes the outputs file whole or not at all, so the harness never reads half an object. */
    private static boolean write(Path file, Map<String, String> outputs, PrintStream err) {
        if (file == null) {
            return true;
        }
        ObjectNode node = MAPPER.createObjectNode();
        outputs.forEach(node::put);
        try {
            Path parent = file.toAbsolutePath().getParent();
            Path temp = Files.createTempFile(parent, ".agentry-outputs", ".json");
            Files.writeString(temp, node.toString());
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            fail(err, "the outputs file cannot be written: " + e.getMessage());
            return false;
        }
    }

    private static int fail(PrintStream err, String line) {
        err.println(oneLine(line));
        return EXIT_FAILED;
    }

    private static String oneLine(String text) {
        return text == null ? "" : text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
