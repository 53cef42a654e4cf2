#include "images/PullDialog.h"

#include "engine/DockerClient.h"
#include "engine/ImagePull.h"
#include "images/LoginDialog.h"
#include "registry/RegistryError.h"
#include "registry/RegistryName.h"
#include "registry/RegistryPull.h"
#include "widgets/StatusColors.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

PullDialog::PullDialog(DockerClient *client, const QString &reference, QWidget *parent)
    : QDialog(parent),
      m_client(client),
      m_reference(new QLineEdit(reference, this)),
      m_bar(new QProgressBar(this)),
      m_status(new QLabel(this)),
      m_buttons(new QDialogButtonBox(this))
{
    setObjectName(QStringLiteral("pullDialog"));
    setWindowTitle(tr("Pull Image"));
    setAttribute(Qt::WA_DeleteOnClose);
    m_reference->setObjectName(QStringLiteral("pullReference"));
    m_bar->setObjectName(QStringLiteral("pullProgress"));
    m_status->setObjectName(QStringLiteral("pullStatus"));

    m_reference->setPlaceholderText(tr("e.g. nvidia/cuda:12.4.1-base-ubuntu22.04"));
    m_reference->setMinimumWidth(420);
    m_bar->setRange(0, 1000);
    m_bar->setValue(0);
    m_bar->setFormat(QStringLiteral("%p %"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setText(tr("From %1").arg(client->endpoint().url));

    m_start = m_buttons->addButton(tr("&Pull"), QDialogButtonBox::AcceptRole);
    m_start->setObjectName(QStringLiteral("pullButton"));
    m_cancel = m_buttons->addButton(QDialogButtonBox::Cancel);
    m_cancel->setObjectName(QStringLiteral("pullCancel"));
    m_login = m_buttons->addButton(tr("&Log In…"), QDialogButtonBox::ActionRole);
    m_login->setObjectName(QStringLiteral("pullLogin"));
    connect(m_login, &QPushButton::clicked, this, &PullDialog::showLogin);
    m_start->setDefault(true);

    auto *form = new QFormLayout;
    form->addRow(tr("&Image:"), m_reference);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_bar);
    layout->addWidget(m_status);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    // Accept would close the dialog; Pull starts instead, and Cancel stops a pull before closing.
    connect(m_buttons, &QDialogButtonBox::accepted, this, &PullDialog::start);
    connect(m_buttons, &QDialogButtonBox::rejected, this, [this]() {
        if (m_pull && !m_pull->isFinished())
            m_registryPull->cancel();
        else
            reject();
    });
}

QString PullDialog::reference() const
{
    return m_reference->text().trimmed();
}

void PullDialog::start()
{
    if (m_pull && !m_pull->isFinished())
        return;
    if (m_registryPull)
        m_registryPull->deleteLater();
    m_registryPull = new RegistryPull(m_client, reference(), this);
    m_pull = m_registryPull->imagePull();
    connect(m_pull, &ImagePull::progress, this, &PullDialog::onProgress);
    connect(m_registryPull, &RegistryPull::finished, this, &PullDialog::onFinished);
    m_reference->setEnabled(false);
    m_start->setEnabled(false);
    m_cancel->setText(tr("&Cancel"));
    m_bar->setRange(0, 0); // busy until the first layer size is known
    m_status->setStyleSheet({});
    m_status->setText(tr("Asking the engine for %1…").arg(reference()));
    m_registryPull->start();
}

void PullDialog::onProgress(qint64 received, qint64 total, const QString &status)
{
    if (total > 0) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(int(received * 1000 / total));
    }
    const int layers = m_pull ? m_pull->layerCount() : 0;
    QString text = status;
    if (layers > 0) {
        // Bytes count twice (downloaded, then extracted): show the layers' own size.
        text = tr("%1 — %2 of %3 layers done, %4")
                   .arg(status, QString::number(m_pull->layersDone()), QString::number(layers),
                        QLocale().formattedDataSize(total / 2));
    }
    m_status->setText(text);
}

void PullDialog::onFinished(const Error &error)
{
    m_reference->setEnabled(true);
    m_start->setEnabled(true);
    m_cancel->setText(tr("&Close"));
    if (error.isError()) {
        m_bar->setRange(0, 1000);
        m_bar->setValue(0);
        m_status->setText(error.code() == Error::Code::Cancelled ? tr("Pull cancelled.")
                                                                 : error.message());
        m_status->setStyleSheet(
            error.code() == Error::Code::Cancelled
                ? QString()
                : StatusColors::styleSheet(StatusColors::Tone::Error, m_status));
        if (RegistryError::needsLogin(error)) {
            m_login->setDefault(true);
            m_login->setFocus();
        }
        return;
    }
    m_bar->setRange(0, 1000);
    m_bar->setValue(1000);
    m_status->setStyleSheet({});
    m_status->setText(tr("Pulled %1.").arg(reference()));
    emit pulled(reference());
}

void PullDialog::showLogin()
{
    auto *dialog = new LoginDialog(m_client, RegistryName::ofImage(reference()), this);
    // After a login, the pull it was for runs again.
    connect(dialog, &LoginDialog::loggedIn, this, [this]() {
        if (m_pull && m_pull->isFinished() && m_pull->error().isError())
            start();
    });
    dialog->show();
}
