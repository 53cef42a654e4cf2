#include "images/LoginDialog.h"

#include "registry/CredentialStore.h"
#include "registry/RegistryError.h"
#include "registry/RegistryLogin.h"
#include "registry/RegistryName.h"
#include "widgets/StatusColors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

LoginDialog::LoginDialog(DockerClient *client, const QString &registry, QWidget *parent)
    : QDialog(parent),
      m_client(client),
      m_registry(new QLineEdit(registry, this)),
      m_user(new QLineEdit(this)),
      m_password(new QLineEdit(this)),
      m_hint(new QLabel(this)),
      m_status(new QLabel(this))
{
    setObjectName(QStringLiteral("loginDialog"));
    setWindowTitle(tr("Log In to a Registry"));
    setAttribute(Qt::WA_DeleteOnClose);
    m_registry->setObjectName(QStringLiteral("loginRegistry"));
    m_user->setObjectName(QStringLiteral("loginUser"));
    m_password->setObjectName(QStringLiteral("loginPassword"));
    m_hint->setObjectName(QStringLiteral("loginHint"));
    m_status->setObjectName(QStringLiteral("loginStatus"));

    m_registry->setPlaceholderText(tr("Docker Hub, or e.g. nvcr.io"));
    m_registry->setMinimumWidth(360);
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setPlaceholderText(tr("password or access token"));
    for (QLabel *label : {m_hint, m_status}) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }

    auto *buttons = new QDialogButtonBox(this);
    m_logIn = buttons->addButton(tr("&Log In"), QDialogButtonBox::AcceptRole);
    m_logIn->setObjectName(QStringLiteral("loginButton"));
    m_logIn->setDefault(true);
    m_close = buttons->addButton(QDialogButtonBox::Cancel);
    m_close->setObjectName(QStringLiteral("loginCancel"));

    auto *form = new QFormLayout;
    form->addRow(tr("&Registry:"), m_registry);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Password:"), m_password);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(buttons);

    connect(m_registry, &QLineEdit::textChanged, this, &LoginDialog::updateHint);
    connect(buttons, &QDialogButtonBox::accepted, this, &LoginDialog::logIn);
    connect(buttons, &QDialogButtonBox::rejected, this, &LoginDialog::reject);
    updateHint();
    if (!registry.isEmpty())
        m_user->setFocus();
}

QString LoginDialog::registry() const
{
    return m_registry->text().trimmed();
}

void LoginDialog::updateHint()
{
    const QString ngc = RegistryError::loginHint(registry());
    m_hint->setText(ngc.isEmpty() ? QString() : ngc + QLatin1Char('.'));
    m_hint->setVisible(!ngc.isEmpty());
    if (!ngc.isEmpty() && m_user->text().isEmpty())
        m_user->setPlaceholderText(QStringLiteral("$oauthtoken"));
}

void LoginDialog::logIn()
{
    if (m_login)
        return;
    RegistryCredential credential;
    credential.serverAddress = registry();
    credential.username = m_user->text().trimmed();
    credential.password = m_password->text();
    m_login = new RegistryLogin(m_client, this);
    for (QWidget *field : {static_cast<QWidget *>(m_registry), static_cast<QWidget *>(m_user),
                           static_cast<QWidget *>(m_password), static_cast<QWidget *>(m_logIn)})
        field->setEnabled(false);
    m_status->setStyleSheet({});
    m_status->setText(tr("Checking the login with the engine…"));
    connect(m_login, &RegistryLogin::finished, this, [this](const Error &error) {
        const CredentialStore::Stored stored = m_login->stored();
        m_login->deleteLater();
        m_login = nullptr;
        for (QWidget *field : {static_cast<QWidget *>(m_registry), static_cast<QWidget *>(m_user),
                               static_cast<QWidget *>(m_password), static_cast<QWidget *>(m_logIn)})
            field->setEnabled(true);
        if (error.isError()) {
            m_status->setText(error.message());
            m_status->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_status));
            m_password->setFocus();
            m_password->selectAll();
            return;
        }
        m_password->clear();
        emit loggedIn(registry());
        if (stored.unencrypted) {
            // Said plainly, and the dialog stays until it was read.
            m_status->setText(
                tr("Logged in. %1").arg(CredentialStore::unencryptedWarning(stored.where)));
            m_status->setStyleSheet(
                StatusColors::styleSheet(StatusColors::Tone::Warning, m_status));
            m_logIn->setEnabled(false);
            m_close->setText(tr("&Close"));
            return;
        }
        accept();
    });
    m_login->start(credential);
}
