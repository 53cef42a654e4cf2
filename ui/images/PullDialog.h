#pragma once

#include "common/Error.h"
#include "engine/ImagePull.h"

#include <QDialog>
#include <QPointer>

class DockerClient;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class RegistryPull;

// Pulls an image with a progress bar: the layers' bytes summed as the engine reports them, the
// engine's latest line beneath, and Cancel. The window stays usable meanwhile. The pull sends the
// login docker keeps for the registry; when the registry wants one, Log In offers the LoginDialog.
class PullDialog : public QDialog
{
    Q_OBJECT

public:
    PullDialog(DockerClient *client, const QString &reference, QWidget *parent = nullptr);

    void start();
    ImagePull *pull() const { return m_pull; }
    QString reference() const;

signals:
    void pulled(const QString &reference);

private:
    void onProgress(qint64 received, qint64 total, const QString &status);
    void onFinished(const Error &error);
    void showLogin();

    DockerClient *m_client;
    QPointer<RegistryPull> m_registryPull; // finds the registry's login, owns m_pull
    QPointer<ImagePull> m_pull;
    QLineEdit *m_reference;
    QProgressBar *m_bar;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QPushButton *m_start;
    QPushButton *m_cancel;
    QPushButton *m_login;
};
