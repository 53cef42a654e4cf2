#pragma once

#include "RegistryCredential.h"
#include "common/Result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

// A docker config.json or a Podman auth.json: `auths` (base64 "user:password" or an identity
// token per registry), `credHelpers` (a helper per registry) and `credsStore` (the helper for
// all others). Everything else in the file is kept as it was when it is saved again.
class AuthFile
{
public:
    // $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
    static QString dockerPath();
    // Where Podman looks, in its order: REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json,
    // ~/.config/containers/auth.json, then Docker's file.
    static QStringList podmanPaths();

    // A missing file is an empty one; an unreadable or malformed one is an Error.
    static Result<AuthFile> load(const QString &path);

    const QString &path() const { return m_path; }
    // The helper's NAME (docker-credential-NAME) for the registry: credHelpers, else credsStore.
    QString helperFor(const QString &registry) const;
    // The `auths` entry whose host is the registry's; empty when there is none.
    RegistryCredential credentialFor(const QString &registry) const;
    bool hasEntryFor(const QString &registry) const;

    void setCredential(const RegistryCredential &credential);
    // An empty `auths` entry, as docker login leaves next to a helper's.
    void setPlaceholder(const QString &key);
    // Removes every `auths` entry for the registry; false when there was none.
    bool remove(const QString &registry);
    // Atomically, readable by the user only.
    Result<void> save() const;

private:
    QString entryKey(const QString &registry) const;

    QString m_path;
    QJsonObject m_root;
};
