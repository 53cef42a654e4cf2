#include "TcpConnection.h"

#include <QFile>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpSocket>

namespace {

Result<QByteArray> readFile(const QString &path, const QString &role)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return Error(Error::Code::Io,
                     QStringLiteral("Could not read the TLS %1 %2").arg(role, path),
                     file.errorString());
    }
    return file.readAll();
}

QString certificateProblem(const QList<QSslError> &errors, const QString &host)
{
    QStringList reasons;
    for (const QSslError &error : errors) {
        switch (error.error()) {
        case QSslError::CertificateExpired:
            reasons << QStringLiteral("its certificate expired on %1")
                           .arg(error.certificate().expiryDate().toString(Qt::ISODate));
            break;
        case QSslError::CertificateNotYetValid:
            reasons << QStringLiteral("its certificate is not valid before %1")
                           .arg(error.certificate().effectiveDate().toString(Qt::ISODate));
            break;
        case QSslError::HostNameMismatch: {
            QStringList names = error.certificate().subjectAlternativeNames().values();
            names += error.certificate().subjectInfo(QSslCertificate::CommonName);
            names.removeAll(QString());
            names.removeDuplicates();
            reasons << QStringLiteral("its certificate is for %1, not for %2")
                           .arg(names.isEmpty() ? QStringLiteral("another name")
                                                : names.join(QStringLiteral(", ")),
                                host);
            break;
        }
        case QSslError::UnableToGetLocalIssuerCertificate:
        case QSslError::UnableToGetIssuerCertificate:
        case QSslError::SelfSignedCertificate:
        case QSslError::SelfSignedCertificateInChain:
        case QSslError::UnableToVerifyFirstCertificate:
        case QSslError::CertificateUntrusted:
        case QSslError::CertificateSignatureFailed:
            reasons << QStringLiteral("its certificate is not signed by the trusted CA");
            break;
        default: reasons << error.errorString(); break;
        }
    }
    reasons.removeDuplicates();
    return reasons.join(QStringLiteral("; "));
}

} // namespace

Result<QSslConfiguration> TlsSettings::configuration() const
{
    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setAllowedNextProtocols({QByteArrayLiteral("http/1.1")});
    config.setPeerVerifyMode(verifyPeer ? QSslSocket::VerifyPeer : QSslSocket::VerifyNone);
    if (!caFile.isEmpty()) {
        const Result<QByteArray> pem = readFile(caFile, QStringLiteral("CA certificate"));
        if (!pem)
            return pem.error();
        const QList<QSslCertificate> cas = QSslCertificate::fromData(pem.value(), QSsl::Pem);
        if (cas.isEmpty()) {
            return Error(Error::Code::Io,
                         QStringLiteral("Could not use the TLS CA certificate %1").arg(caFile),
                         QStringLiteral("it holds no PEM certificate"));
        }
        config.setCaCertificates(cas); // only this CA: an engine's CA is private, not a public one
    }
    if (!certFile.isEmpty() && !keyFile.isEmpty()) {
        const Result<QByteArray> certPem = readFile(certFile, QStringLiteral("client certificate"));
        if (!certPem)
            return certPem.error();
        const QList<QSslCertificate> certs = QSslCertificate::fromData(certPem.value(), QSsl::Pem);
        if (certs.isEmpty()) {
            return Error(Error::Code::Io,
                         QStringLiteral("Could not use the TLS client certificate %1").arg(certFile),
                         QStringLiteral("it holds no PEM certificate"));
        }
        const Result<QByteArray> keyPem = readFile(keyFile, QStringLiteral("client key"));
        if (!keyPem)
            return keyPem.error();
        QSslKey key;
        for (QSsl::KeyAlgorithm algorithm : {QSsl::Ec, QSsl::Rsa, QSsl::Dsa}) {
            key = QSslKey(keyPem.value(), algorithm, QSsl::Pem, QSsl::PrivateKey);
            if (!key.isNull())
                break;
        }
        if (key.isNull()) {
            return Error(Error::Code::Io,
                         QStringLiteral("Could not use the TLS client key %1").arg(keyFile),
                         QStringLiteral(
                             "it is not an unencrypted PEM private key (RSA, EC or DSA)"));
        }
        config.setLocalCertificate(certs.first());
        config.setLocalCertificateChain(certs);
        config.setPrivateKey(key);
    }
    return config;
}

QString TcpConnector::describe() const
{
    return QStringLiteral("tcp://%1:%2").arg(m_host).arg(m_port);
}

TcpConnection::TcpConnection(QString host, quint16 port, std::optional<QSslConfiguration> tls,
                             QObject *parent)
    : Connection(parent), m_host(std::move(host)), m_port(port), m_tls(tls.has_value())
{
    if (m_tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(*tls);
        ssl->setPeerVerifyName(m_host);
        connect(ssl, &QSslSocket::encrypted, this, [this]() {
            m_ready = true;
            emit connected();
        });
        connect(ssl, &QSslSocket::sslErrors, this, &TcpConnection::onSslErrors);
        connect(ssl, &QSslSocket::encryptedBytesWritten, this, [this]() { writeProgressed(); });
        m_socket = ssl;
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, [this]() {
            m_ready = true;
            emit connected();
        });
    }
    setDevice(m_socket);
    connect(m_socket, &QAbstractSocket::disconnected, this, &Connection::closed);
    connect(m_socket, &QAbstractSocket::errorOccurred, this, &TcpConnection::onError);
}

QString TcpConnection::peer() const
{
    return QStringLiteral("%1:%2").arg(m_host).arg(m_port);
}

void TcpConnection::open()
{
    if (m_tls)
        static_cast<QSslSocket *>(m_socket)->connectToHostEncrypted(m_host, m_port);
    else
        m_socket->connectToHost(m_host, m_port);
}

bool TcpConnection::isConnected() const
{
    return m_ready && m_socket->state() == QAbstractSocket::ConnectedState;
}

qintptr TcpConnection::descriptor() const
{
    return m_socket->socketDescriptor();
}

qint64 TcpConnection::pendingEncryptedBytes() const
{
    return m_tls ? static_cast<QSslSocket *>(m_socket)->encryptedBytesToWrite() : 0;
}

void TcpConnection::flushDevice()
{
    m_socket->flush();
    if (m_tls) {
        // QSslSocket hands its records to an inner TCP socket that writes them on a later turn of
        // the event loop and does not count them as pending meanwhile: push them out now.
        if (auto *plain = m_socket->findChild<QTcpSocket *>(QString(), Qt::FindDirectChildrenOnly))
            plain->flush();
    }
}

void TcpConnection::onSslErrors()
{
    auto *ssl = static_cast<QSslSocket *>(m_socket);
    const QList<QSslError> errors = ssl->sslHandshakeErrors();
    emitFailed(Error(Error::Code::Tls,
                     QStringLiteral("The engine at %1 could not be verified").arg(peer()),
                     certificateProblem(errors, m_host)));
    ssl->abort();
}

void TcpConnection::onError()
{
    const QString what = QStringLiteral("Could not reach the engine at %1").arg(peer());
    const QString detail = m_socket->errorString();
    switch (m_socket->error()) {
    case QAbstractSocket::RemoteHostClosedError:
        if (m_ready) {
            // In the clear, disconnected() follows. Under TLS a close_notify alone ends the stream
            // (dockerd half-closes a finished attach that way) and the socket stays open.
            if (m_tls)
                emit closed();
            return;
        }
        if (m_tls) {
            emitFailed(
                Error(Error::Code::Tls, what,
                      QStringLiteral("it closed the connection during the TLS handshake (%1)")
                          .arg(detail)));
        } else {
            emit closed();
        }
        return;
    case QAbstractSocket::ConnectionRefusedError:
        emitFailed(Error(Error::Code::ConnectionFailed, what,
                         QStringLiteral("the connection was refused")));
        return;
    case QAbstractSocket::HostNotFoundError:
        emitFailed(Error(Error::Code::HostNotFound, what,
                         QStringLiteral("the host name %1 is unknown").arg(m_host)));
        return;
    case QAbstractSocket::NetworkError:
        emitFailed(Error(Error::Code::ConnectionFailed, what, detail));
        return;
    case QAbstractSocket::SslHandshakeFailedError:
    case QAbstractSocket::SslInternalError:
    case QAbstractSocket::SslInvalidUserDataError: {
        const QString lower = detail.toLower();
        QString why;
        if (lower.contains(QLatin1String("wrong version number"))
            || lower.contains(QLatin1String("packet length too long"))
            || lower.contains(QLatin1String("record layer failure"))
            || lower.contains(QLatin1String("http request")))
            why = QStringLiteral("it does not speak TLS on this port");
        else if (lower.contains(QLatin1String("certificate"))
                 || lower.contains(QLatin1String("unknown ca")))
            why = QStringLiteral("it refused our client certificate (%1)").arg(detail);
        else
            why = QStringLiteral("the TLS handshake failed (%1)").arg(detail);
        emitFailed(Error(Error::Code::Tls, what, why));
        return;
    }
    default:
        if (m_ready && m_tls && detail.toLower().contains(QLatin1String("certificate"))) {
            // TLS 1.3: the engine checks our certificate after the handshake and then hangs up.
            emitFailed(Error(Error::Code::Tls, what,
                             QStringLiteral("it refused our client certificate (%1)").arg(detail)));
            return;
        }
        emitFailed(Error(Error::Code::ConnectionFailed, what, detail));
        return;
    }
}
