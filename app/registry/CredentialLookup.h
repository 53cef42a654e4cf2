#pragma once

#include "RegistryCredential.h"
#include "common/Result.h"

#include <QObject>
#include <QStringList>

#include <functional>

class CredentialHelper;

// Finds the login for a registry where the docker CLI (or Podman) keeps it: for Docker,
// config.json's credHelpers, else its credsStore, else its auths; for Podman, each of
// AuthFile::podmanPaths() in turn. Runs on the desktop, also for remote engines, as the CLIs do.
class CredentialLookup : public QObject
{
    Q_OBJECT

public:
    // Result: the credential, or an empty one when none is kept for the registry.
    using Done = std::function<void(const Result<RegistryCredential> &)>;

    // Calls done once, unless context is destroyed first. registry: a host or an image's
    // RegistryName::ofImage().
    static void find(const QString &registry, bool podman, QObject *context, Done done);

private:
    CredentialLookup(QString registry, QStringList files, bool podman, Done done, QObject *parent);
    void next();
    void finish(const Result<RegistryCredential> &result);

    QString m_registry;
    QStringList m_files;
    bool m_podman;
    Done m_done;
};
