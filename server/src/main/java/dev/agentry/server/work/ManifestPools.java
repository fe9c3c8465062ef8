package dev.agentry.server.work;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.agentry.core.job.RunnerPool;
import dev.agentry.core.pipeline.InvalidDefinition;
import dev.agentry.core.repo.SecretVault;
import dev.agentry.runners.manifest.ManifestParser;
import dev.agentry.runners.manifest.ManifestPool;
import java.net.http.HttpClient;
import java.util.Set;

/**
 * Manifest pools: a manifest is validated strictly when registered (plain http only to the configured hosts)
 * and stored as JSON; its adapter resolves {@code secretRef}s from the server's secrets when it calls out.
 */
public final class ManifestPools implements PoolCatalog.Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Set<String> plainHttpHosts;
    private final SecretVault secrets;
    private final HttpClient http;

    public ManifestPools(Set<String> plainHttpHosts, SecretVault secrets, HttpClient http) {
        this.plainHttpHosts = Set.copyOf(plainHttpHosts);
        this.secrets = secrets;
        this.http = http;
    }

    @Override
    public String validate(String source) {
        ManifestParser.parse(source, plainHttpHosts);
        try {
            return YAML.readTree(source).toString(); // YAML is a superset of JSON: both arrive here
        } catch (JsonProcessingException e) {
            throw InvalidDefinition.of("manifest", "not valid YAML or JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public RunnerPool adapter(String storedManifest) {
        return new ManifestPool(ManifestParser.parse(storedManifest, plainHttpHosts), name -> secrets.reveal("", name), http);
    }
}
