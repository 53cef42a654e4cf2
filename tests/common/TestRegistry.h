#pragma once

#include <QProcess>
#include <QString>

// Debian's docker-registry on a free loopback port, behind TLS (a certificate of test-tls.sh's
// test CA, for IP:127.0.0.1) and htpasswd basic auth for one user. The sandboxed engine reaches it
// as a registry on 127.0.0.0/8, which dockerd always counts as insecure: it speaks TLS to it
// without checking the CA, and falls back to plain HTTP when that fails.
class TestRegistry
{
public:
    TestRegistry() = default;
    ~TestRegistry();
    TestRegistry(const TestRegistry &) = delete;
    TestRegistry &operator=(const TestRegistry &) = delete;

    // Returns what went wrong, or an empty string once the registry answers.
    QString start(const QString &dir, const QString &user, const QString &password);
    void stop();

    QString address() const; // 127.0.0.1:PORT
    QString caFile() const;  // the test CA's certificate

    // Pushes an image of one layer of random bytes as ADDRESS/repository (logging the docker CLI
    // in with a DOCKER_CONFIG of its own), then removes it from the engine. Empty: pushed.
    QString seed(const QString &repository);

private:
    QProcess m_process;
    QString m_dir;
    QString m_user;
    QString m_password;
    quint16 m_port = 0;
};
