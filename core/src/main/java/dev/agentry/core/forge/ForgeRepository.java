package dev.agentry.core.forge;

/**
 * The repository a forge call acts on.
 *
 * @param workspace  the workspace it is registered with
 * @param name       its registered name
 * @param url        its git URL or local path (a GitHub forge derives owner and name from it)
 * @param credential the token for the forge's API and for git; null for none. Never logged.
 */
public record ForgeRepository(String workspace, String name, String url, String baseBranch, String credential) {
    @Override
    public String toString() {
        return "ForgeRepository[" + workspace + "/" + name + ", url=" + url + ", base=" + baseBranch + "]";
    }
}
