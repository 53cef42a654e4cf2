#pragma once

#include "RegistryCredential.h"
#include "common/Result.h"

#include <QObject>

#include <functional>

// Stores and erases a login where `docker login` / `docker logout` would (`podman login` for a
// Podman engine): through the credential helper config.json names for the registry (credHelpers,
// else credsStore), else in the file's `auths`, which is not encrypted.
class CredentialStore : public QObject
{
    Q_OBJECT

public:
    struct Stored
    {
        QString where;            // the helper's program, or the file's path
        bool unencrypted = false; // in the file's auths: base64, readable by anyone with the file
        bool removed = true;      // erase: false when there was nothing to remove
    };
    using Done = std::function<void(const Result<Stored> &)>;

    // The file a login is written to: Docker's config.json, or Podman's first auth file.
    static QString fileFor(bool podman);

    // credential.serverAddress is the registry as the user named it; it is stored under
    // RegistryName::key(). Calls done once, unless context is destroyed first.
    static void store(const RegistryCredential &credential, bool podman, QObject *context,
                      Done done);
    static void erase(const QString &registry, bool podman, QObject *context, Done done);

    // What to tell the user after a login went to a file unencrypted.
    static QString unencryptedWarning(const QString &path);

private:
    CredentialStore(Done done, QObject *parent);
    void storeNow(RegistryCredential credential, const QString &path);
    void eraseNow(const QString &registry, const QString &path);
    void finish(const Result<Stored> &result);

    Done m_done;
};
