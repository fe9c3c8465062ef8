package dev.agentry.core.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SignatureVerifierTest {
    static final String SECRET = "It's a Secret to Everybody";
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    static final byte[] BODY = "{\"action\":\"opened\",  \"issue\":{\"title\":\"Crash\"}}".getBytes(StandardCharsets.UTF_8);

    final SignatureVerifier verifier = new SignatureVerifier(Clock.fixed(NOW, ZoneOffset.UTC));

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void a_github_signature_matches_the_value_computed_by_openssl() {
        // printf 'Hello, World!' | openssl dgst -sha256 -hmac "It's a Secret to Everybody"
        String expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

        assertThat(SignatureVerifier.githubSignature(SECRET, bytes("Hello, World!"))).isEqualTo(expected);
        assertThat(verifier.github(SECRET, bytes("Hello, World!"), expected).valid()).isTrue();
        assertThat(verifier.github(SECRET, bytes("Hello, World!"), expected.toUpperCase().replace("SHA256=", "sha256=")).valid()).isTrue();
    }

    @Test
    void a_github_signature_made_with_another_secret_is_refused() {
        var verdict = verifier.github(SECRET, BODY, SignatureVerifier.githubSignature("another secret", BODY));

        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.problem()).contains("does not match");
    }

    @Test
    void a_delivery_without_a_github_signature_is_refused_naming_the_header() {
        assertThat(verifier.github(SECRET, BODY, null).problem()).contains("X-Hub-Signature-256");
        assertThat(verifier.github(SECRET, BODY, "  ").valid()).isFalse();
    }

    @Test
    void a_github_signature_in_another_shape_is_refused() {
        String hex = SignatureVerifier.githubSignature(SECRET, BODY).substring(7);

        assertThat(verifier.github(SECRET, BODY, hex).valid()).isFalse();
        assertThat(verifier.github(SECRET, BODY, "sha1=" + hex).valid()).isFalse();
        assertThat(verifier.github(SECRET, BODY, "sha256=" + hex.substring(2)).valid()).isFalse();
        assertThat(verifier.github(SECRET, BODY, "sha256=" + "zz" + hex.substring(2)).valid()).isFalse();
    }

    @Test
    void a_signature_over_the_body_parsed_and_written_again_fails() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        byte[] reserialized = mapper.writeValueAsBytes(mapper.readTree(BODY));
        assertThat(reserialized).isNotEqualTo(BODY); // the spacing differs; the JSON is the same

        assertThat(verifier.github(SECRET, BODY, SignatureVerifier.githubSignature(SECRET, reserialized)).valid()).isFalse();
    }

    @Test
    void a_generic_signature_within_the_window_is_accepted() {
        long t = NOW.getEpochSecond() - 30;

        assertThat(verifier.generic(SECRET, BODY, SignatureVerifier.genericSignature(SECRET, t, BODY)).valid()).isTrue();
    }

    @Test
    void a_generic_signature_is_over_the_timestamp_and_the_body() throws Exception {
        long t = NOW.getEpochSecond();
        var mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(bytes(SECRET), "HmacSHA256"));
        String hex = java.util.HexFormat.of().formatHex(mac.doFinal(bytes(t + "." + new String(BODY, StandardCharsets.UTF_8))));
        String bodyOnly = SignatureVerifier.githubSignature(SECRET, BODY).substring(7);

        assertThat(verifier.generic(SECRET, BODY, "t=" + t + ",v1=" + hex).valid()).isTrue();
        assertThat(verifier.generic(SECRET, BODY, "t=" + t + ",v1=" + bodyOnly).valid()).isFalse();
    }

    @Test
    void a_generic_timestamp_outside_the_window_is_refused_either_way() {
        long old = NOW.minus(Duration.ofMinutes(5)).getEpochSecond() - 1;
        long ahead = NOW.plus(Duration.ofMinutes(5)).getEpochSecond() + 1;
        long edge = NOW.minus(Duration.ofMinutes(5)).getEpochSecond();

        var stale = verifier.generic(SECRET, BODY, SignatureVerifier.genericSignature(SECRET, old, BODY));
        assertThat(stale.valid()).isFalse();
        assertThat(stale.problem()).contains("301 s old").contains("within 300 s");
        assertThat(verifier.generic(SECRET, BODY, SignatureVerifier.genericSignature(SECRET, ahead, BODY)).problem()).contains("ahead");
        assertThat(verifier.generic(SECRET, BODY, SignatureVerifier.genericSignature(SECRET, edge, BODY)).valid()).isTrue();
    }

    @Test
    void the_replay_window_is_configurable() {
        var strict = new SignatureVerifier(Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofSeconds(10));
        long t = NOW.getEpochSecond() - 11;

        assertThat(strict.generic(SECRET, BODY, SignatureVerifier.genericSignature(SECRET, t, BODY)).valid()).isFalse();
        assertThat(verifier.generic(SECRET, BODY, SignatureVerifier.genericSignature(SECRET, t, BODY)).valid()).isTrue();
    }

    @Test
    void one_matching_v1_among_several_is_enough_while_a_secret_is_rotated() {
        long t = NOW.getEpochSecond();
        String oldSig = SignatureVerifier.genericSignature("old secret", t, BODY).split(",")[1];
        String newSig = SignatureVerifier.genericSignature(SECRET, t, BODY).split(",")[1];

        assertThat(verifier.generic(SECRET, BODY, "t=" + t + "," + oldSig + "," + newSig).valid()).isTrue();
        assertThat(verifier.generic(SECRET, BODY, "t=" + t + ", " + newSig + " , " + oldSig).valid()).isTrue();
        assertThat(verifier.generic(SECRET, BODY, "t=" + t + "," + oldSig).valid()).isFalse();
    }

    @Test
    void a_generic_header_without_a_timestamp_or_a_signature_is_refused() {
        String sig = SignatureVerifier.genericSignature(SECRET, NOW.getEpochSecond(), BODY);
        String v1 = sig.split(",")[1];

        assertThat(verifier.generic(SECRET, BODY, v1).problem()).contains("t=");
        assertThat(verifier.generic(SECRET, BODY, "t=" + NOW.getEpochSecond()).problem()).contains("v1");
        assertThat(verifier.generic(SECRET, BODY, "t=soon," + v1).valid()).isFalse();
        assertThat(verifier.generic(SECRET, BODY, "t=1,t=2," + v1).valid()).isFalse();
        assertThat(verifier.generic(SECRET, BODY, null).problem()).contains("X-Agentry-Signature");
    }

    @Test
    void verify_reads_the_header_of_the_trigger_s_format() {
        var headers = Map.of(
                "x-hub-signature-256", SignatureVerifier.githubSignature(SECRET, BODY),
                "x-agentry-signature", SignatureVerifier.genericSignature(SECRET, NOW.getEpochSecond(), BODY));

        assertThat(verifier.verify(Trigger.Format.GITHUB, SECRET, BODY, h -> headers.get(h.toLowerCase())).valid()).isTrue();
        assertThat(verifier.verify(Trigger.Format.GENERIC, SECRET, BODY, h -> headers.get(h.toLowerCase())).valid()).isTrue();
        assertThat(verifier.verify(Trigger.Format.GENERIC, SECRET, BODY, h -> null).valid()).isFalse();
    }
}
