package dev.agentry.agents.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.agentry.core.spend.Usage;
import java.util.Arrays;

/**
 * Reads a successful reply as it is forwarded, in whatever chunks it arrives, for its usage and the assistant's
 * message. It never fails the forwarding: what it cannot read it reports as no usage and no reply.
 */
abstract sealed class ReplyMeter {
    /** What a reply used and said. @param reply canonical JSON, or null */
    record Metered(Usage usage, String reply) {}

    static ReplyMeter of(ProviderWire wire, String contentType) {
        boolean stream = contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
        return stream ? new Streamed(wire) : new Whole(wire);
    }

    abstract void feed(byte[] bytes, int offset, int length);

    abstract Metered finish();

    /** A JSON reply, read once it is complete. */
    static final class Whole extends ReplyMeter {
        private static final int MAX = 64 << 20;
        private final ProviderWire wire;
        private byte[] body = new byte[8192];
        private int length;
        private boolean tooLarge;

        Whole(ProviderWire wire) {
            this.wire = wire;
        }

        @Override
        void feed(byte[] bytes, int offset, int n) {
            if (tooLarge || length + n > MAX) {
                tooLarge = true;
                return;
            }
            if (length + n > body.length) {
                body = Arrays.copyOf(body, Math.max(length + n, body.length * 2));
            }
            System.arraycopy(bytes, offset, body, length, n);
            length += n;
        }

        @Override
        Metered finish() {
            if (tooLarge || length == 0) {
                return new Metered(Usage.NONE, null);
            }
            try {
                JsonNode response = CanonicalJson.read(body, 0, length);
                return response != null && response.isObject()
                        ? new Metered(wire.usage(response), wire.reply(response))
                        : new Metered(Usage.NONE, null);
            } catch (JsonProcessingException e) {
                return new Metered(Usage.NONE, null);
            }
        }
    }

    /** Server-sent events, each event read as it completes. */
    static final class Streamed extends ReplyMeter {
        private final ProviderWire.StreamedReply reply;
        private final SseDecoder decoder;

        Streamed(ProviderWire wire) {
            this.reply = wire.streamedReply();
            this.decoder = new SseDecoder(this::onData);
        }

        private void onData(byte[] data, int length) {
            if (length == 6 && data[0] == '[' && new String(data, 0, length, java.nio.charset.StandardCharsets.US_ASCII).equals("[DONE]")) {
                return;
            }
            try {
                JsonNode event = CanonicalJson.read(data, 0, length);
                if (event != null && event.isObject()) {
                    reply.accept(event);
                }
            } catch (JsonProcessingException e) {
                // not JSON (a comment-like payload): nothing to meter in it
            }
        }

        @Override
        void feed(byte[] bytes, int offset, int length) {
            decoder.feed(bytes, offset, length);
        }

        @Override
        Metered finish() {
            decoder.finish();
            return new Metered(reply.usage(), reply.reply());
        }
    }
}
