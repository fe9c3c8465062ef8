package dev.agentry.runners.manifest;

import java.net.URI;
import java.util.List;

/**
 * How a manifest's pool authenticates. Credentials are never in the manifest: each is named by a
 * {@code secretRef} and resolved when a request is made, so a rotated secret takes effect without a reload.
 */
public sealed interface Auth {

    /** The secret references this auth resolves, in the order it uses them. */
    List<String> secretRefs();

    /** No credentials: a pool on a trusted network, or one behind a proxy that adds them. */
    record None() implements Auth {
        @Override
        public List<String> secretRefs() {
            return List.of();
        }
    }

    /** A header {@code headerName: valuePrefix + secret}. */
    record ApiKey(String headerName, String secretRef, String valuePrefix) implements Auth {
        public ApiKey {
            valuePrefix = valuePrefix == null ? "" : valuePrefix;
        }

        @Override
        public List<String> secretRefs() {
            return List.of(secretRef);
        }
    }

    /** {@code Authorization: Bearer <secret>}. */
    record Bearer(String secretRef) implements Auth {
        @Override
        public List<String> secretRefs() {
            return List.of(secretRef);
        }
    }

    /** {@code Authorization: Basic base64(username:password)}. */
    record Basic(String usernameSecretRef, String passwordSecretRef) implements Auth {
        @Override
        public List<String> secretRefs() {
            return List.of(usernameSecretRef, passwordSecretRef);
        }
    }

    /**
     * OAuth 2.0 client credentials (RFC 6749 section 4.4): a token fetched from {@code tokenUrl} with the client id and
     * secret in the form body, sent as a bearer token, kept until shortly before it expires.
     */
    record OAuth2ClientCredentials(URI tokenUrl, String clientIdSecretRef, String clientSecretSecretRef, String scope,
                                   String audience) implements Auth {
        @Override
        public List<String> secretRefs() {
            return List.of(clientIdSecretRef, clientSecretSecretRef);
        }
    }

    /** Headers whose values are secrets, such as {@code X-Nomad-Token}. */
    record CustomHeaders(List<SecretHeader> headers) implements Auth {
        public CustomHeaders {
            headers = List.copyOf(headers);
        }

        @Override
        public List<String> secretRefs() {
            return headers.stream().map(SecretHeader::secretRef).toList();
        }
    }

    record SecretHeader(String name, String secretRef) {}
}
