#pragma once

#include <QMetaType>
#include <QString>

// An error as a value: what failed, why, and what the user can do about it. The UI and the
// headless commands turn it into one sentence at the edge; the core never prints it.
class Error
{
public:
    enum class Code {
        None,
        Usage,            // bad input from the user or a caller
        Io,               // files: read, write, parse
        SocketNotFound,   // the engine's socket does not exist
        PermissionDenied, // the socket exists but may not be used
        ConnectionFailed, // any other connect or transport failure
        HostNotFound,     // a remote engine's host name does not resolve
        Tls,              // the engine's certificate was not trusted, or the TLS handshake failed
        SshHostKey,       // ssh: the host key is unknown or changed
        SshAuth,          // ssh: the server refused every key
        Ssh,              // ssh: any other failure of the tunnel
        Timeout,
        Protocol, // the peer did not speak HTTP/1.1 or the Engine API as expected
        Http,     // the engine answered with an error status
        EngineTooOld,
        Unsupported,
        Cancelled,
        Validation,
        NoDriver,
        DeviceDriver, // the engine cannot hand out GPUs
    };

    Error() = default;
    Error(Code code, QString what, QString why = {}, QString hint = {});

    Code code() const { return m_code; }
    bool isError() const { return m_code != Code::None; }
    const QString &what() const { return m_what; }
    const QString &why() const { return m_why; }
    const QString &hint() const { return m_hint; }
    int httpStatus() const { return m_httpStatus; }

    Error &withHttpStatus(int status);
    Error &withHint(const QString &hint);
    Error &withWhat(const QString &what);

    // "What failed: why. What to do." — the one sentence the user reads.
    QString message() const;

private:
    Code m_code = Code::None;
    QString m_what;
    QString m_why;
    QString m_hint;
    int m_httpStatus = 0;
};

Q_DECLARE_METATYPE(Error)
