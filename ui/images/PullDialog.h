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

// Pulls an image with a progress bar: the layers' bytes summed as the engine reports them, the
// engine's latest line beneath, and Cancel. The window stays usable meanwhile.
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

    DockerClient *m_client;
    QPointer<ImagePull> m_pull;
    QLineEdit *m_reference;
    QProgressBar *m_bar;
    QLabel *m_status;
    QDialogButtonBox *m_buttons;
    QPushButton *m_start;
    QPushButton *m_cancel;
};
