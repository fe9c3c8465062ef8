package dev.agentry.runners.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentry.core.job.JobState;
import dev.agentry.runners.harness.Jobs;
import dev.agentry.runners.harness.Origin;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM running jobs is killed; the next pool on the same work root stops what it left. */
class OrphansTest {
    @TempDir
    Path tmp;

    /**
     * The JVM that gets killed: a pool on {@code args[0]} runs a job on the repository {@code args[1]} whose tree of
     * processes writes its pids to {@code args[2]}; prints {@code ready} once they all run, then waits to die.
     */
    public static void main(String[] args) throws Exception {
        var pool = new LocalPool(Path.of(args[0]), 1, 4096, Clock.systemUTC());
        Path pids = Path.of(args[2]);
        pool.dispatch(Jobs.command("crashing", args[1], null,
                "echo $$ >> \"$PIDS\"; sleep 300 & echo $! >> \"$PIDS\"; ( sleep 300 & echo $! >> \"$PIDS\" ) & wait",
                Jobs.env("PIDS", pids.toString())));
        while (!Files.exists(pids) || Files.readAllLines(pids).size() < 3) {
            Thread.sleep(20);
        }
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Duration.ofMinutes(5));
    }

    @Test
    void a_new_pool_stops_the_processes_a_killed_jvm_left_running_and_removes_its_trees() throws Exception {
        Path work = tmp.resolve("work");
        Path pids = tmp.resolve("pids");
        var origin = Origin.create(tmp.resolve("origin"));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OrphansTest.class.getName(),
                work.toString(), origin.url(), pids.toString()).redirectErrorStream(true).start();
        try (var lines = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.equals("ready")) {
                System.out.println("child: " + line);
            }
        }
        jvm.destroyForcibly();
        assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
        List<Long> left = Jobs.pids(pids);
        assertThat(left).hasSize(3).allMatch(Jobs::running);
        assertThat(work.resolve("trees/crashing")).isDirectory();

        var pool = new LocalPool(new LocalPool.Settings(work, 1, 4096, Clock.systemUTC(), null, Duration.ofMillis(300)));
        int stopped = pool.stopOrphans();

        assertThat(stopped).isEqualTo(1);
        assertThat(left).noneMatch(Jobs::running);
        assertThat(work.resolve("trees")).isEmptyDirectory();
        assertThat(work.resolve(".pids")).isEmptyDirectory();

        pool.dispatch(Jobs.command("crashing", origin, "echo fine > fine.txt"));
        var view = pool.poll("crashing", Duration.ofSeconds(20), -1);
        while (!view.state().finished()) {
            view = pool.poll("crashing", Duration.ofSeconds(20), -1);
        }
        assertThat(view.state()).as("the task branch is usable again: " + view.error()).isEqualTo(JobState.DONE);
        pool.close();
    }
}
