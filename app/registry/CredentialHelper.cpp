#include "CredentialHelper.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>

namespace {

const char *actionWord(int action)
{
    static const char *const words[] = {"get", "store", "erase"};
    return words[action];
}

// Helpers say "credentials not found in native keychain" (exit 1) for an unknown server.
bool saysNotFound(const QByteArray &output)
{
    return output.toLower().contains("credentials not found");
}

} // namespace

CredentialHelper::CredentialHelper(QString name, QObject *parent)
    : QObject(parent), m_name(std::move(name))
{
    m_timeout.setSingleShot(true);
    m_timeout.setInterval(kTimeoutMs);
    connect(&m_timeout, &QTimer::timeout, this, [this]() {
        m_process.kill();
        finish(Error(Error::Code::Timeout,
                     QStringLiteral("The credential helper %1 did not answer").arg(program()),
                     QStringLiteral("no answer within %1 seconds").arg(kTimeoutMs / 1000),
                     QStringLiteral("Check that its keyring is unlocked")));
    });
    connect(&m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        const QByteArray out = m_process.readAllStandardOutput();
        const QByteArray err = m_process.readAllStandardError();
        if (m_action == Action::Get && code != 0 && (saysNotFound(out) || saysNotFound(err))) {
            finish(RegistryCredential());
            return;
        }
        if (m_action == Action::Erase && code != 0 && (saysNotFound(out) || saysNotFound(err))) {
            finish(RegistryCredential());
            return;
        }
        if (status != QProcess::NormalExit || code != 0) {
            // The helper's own words: they name its failure, never a secret we gave it.
            const QString said = QString::fromUtf8(err.isEmpty() ? out : err).trimmed();
            finish(Error(Error::Code::Io,
                         QStringLiteral("The credential helper %1 failed to %2")
                             .arg(program(), QLatin1String(actionWord(int(m_action)))),
                         said.isEmpty() ? QStringLiteral("exit code %1").arg(code) : said));
            return;
        }
        if (m_action != Action::Get) {
            finish(m_given);
            return;
        }
        const QJsonObject answer = QJsonDocument::fromJson(out).object();
        RegistryCredential credential;
        credential.serverAddress = answer.value(QStringLiteral("ServerURL")).toString();
        credential.source = program();
        const QString user = answer.value(QStringLiteral("Username")).toString();
        const QString secret = answer.value(QStringLiteral("Secret")).toString();
        if (user == QLatin1String("<token>")) {
            credential.identityToken = secret;
        } else {
            credential.username = user;
            credential.password = secret;
        }
        finish(credential);
    });
    connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return; // a crash also ends in finished()
        finish(Error(Error::Code::Io,
                     QStringLiteral("Could not run the credential helper %1").arg(program()),
                     m_process.errorString()));
    });
}

void CredentialHelper::get(const QString &serverAddress, Done done)
{
    run(Action::Get, serverAddress.toUtf8(), {}, std::move(done));
}

void CredentialHelper::store(const RegistryCredential &credential, Done done)
{
    const bool token = !credential.identityToken.isEmpty();
    const QJsonObject request{
        {QStringLiteral("ServerURL"), credential.serverAddress},
        {QStringLiteral("Username"), token ? QStringLiteral("<token>") : credential.username},
        {QStringLiteral("Secret"), token ? credential.identityToken : credential.password},
    };
    run(Action::Store, QJsonDocument(request).toJson(QJsonDocument::Compact), credential,
        std::move(done));
}

void CredentialHelper::erase(const QString &serverAddress, Done done)
{
    run(Action::Erase, serverAddress.toUtf8(), {}, std::move(done));
}

void CredentialHelper::run(Action action, const QByteArray &input, const RegistryCredential &given,
                           Done done)
{
    m_action = action;
    m_given = given;
    m_done = std::move(done);
    const QString path = QStandardPaths::findExecutable(program());
    if (path.isEmpty()) {
        finish(Error(Error::Code::Io,
                     QStringLiteral("The credential helper %1 is not installed").arg(program()),
                     QStringLiteral("the docker configuration names it but it is not on PATH"),
                     QStringLiteral("Install it, or remove it from the docker configuration")));
        return;
    }
    m_timeout.start();
    m_process.start(path, {QLatin1String(actionWord(int(action)))});
    m_process.write(input);
    m_process.closeWriteChannel();
}

void CredentialHelper::finish(const Result<RegistryCredential> &result)
{
    m_timeout.stop();
    if (!m_done)
        return;
    Done done = std::move(m_done);
    m_done = nullptr;
    done(result);
}
