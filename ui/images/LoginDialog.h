#pragma once

#include <QDialog>
#include <QPointer>

class DockerClient;
class QLabel;
class QLineEdit;
class QPushButton;
class RegistryLogin;

// A registry login: registry, user, password or token; checked by the engine (POST /auth) and
// stored where `docker login` would store it (registry/RegistryLogin). Non-modal: the check runs
// on the event loop, and the window stays usable meanwhile.
class LoginDialog : public QDialog
{
    Q_OBJECT

public:
    LoginDialog(DockerClient *client, const QString &registry, QWidget *parent = nullptr);

    QString registry() const;
    void logIn();

signals:
    // The login was checked and stored; the registry as typed.
    void loggedIn(const QString &registry);

private:
    void updateHint();

    DockerClient *m_client;
    QPointer<RegistryLogin> m_login;
    QLineEdit *m_registry;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QLabel *m_hint;
    QLabel *m_status;
    QPushButton *m_logIn;
    QPushButton *m_close;
};
