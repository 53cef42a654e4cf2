#pragma once

#include "RegistryCredential.h"
#include "common/Result.h"

#include <QObject>
#include <QProcess>
#include <QTimer>

#include <functional>

// One call of a docker credential helper (docker-credential-NAME on PATH) by its protocol:
// `get` (server address on stdin, {ServerURL, Username, Secret} on stdout; Username "<token>" means
// the secret is an identity token), `store` (that JSON on stdin) and `erase` (the address on
// stdin). Asynchronous: a helper may wait for a keyring to be unlocked. Its output is never logged.
class CredentialHelper : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(const Result<RegistryCredential> &)>;

    CredentialHelper(QString name, QObject *parent = nullptr);

    const QString &name() const { return m_name; }
    QString program() const { return QStringLiteral("docker-credential-") + m_name; }

    // Result: the credential, or an empty one when the helper has none for the server.
    void get(const QString &serverAddress, Done done);
    // Result: the credential stored, as given.
    void store(const RegistryCredential &credential, Done done);
    // Result: an empty credential; a server the helper did not know is no error.
    void erase(const QString &serverAddress, Done done);

private:
    enum class Action { Get, Store, Erase };
    void run(Action action, const QByteArray &input, const RegistryCredential &given, Done done);
    void finish(const Result<RegistryCredential> &result);

    QString m_name;
    QProcess m_process;
    QTimer m_timeout;
    Done m_done;
    Action m_action = Action::Get;
    RegistryCredential m_given;
    static constexpr int kTimeoutMs = 120000; // a keyring may ask for its password
};
