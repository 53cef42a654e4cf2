#pragma once

#include <QGroupBox>
#include <QMap>
#include <QStringList>

class QCheckBox;
class QLabel;

// The NVIDIA driver capabilities a GPU container gets, a checkbox each; "gpu" is always implied.
class CapabilityBox : public QGroupBox
{
    Q_OBJECT

public:
    explicit CapabilityBox(QWidget *parent = nullptr);

    // In LaunchSpec::knownCapabilities() order, without "gpu".
    QStringList capabilities() const;
    void setCapabilities(const QStringList &capabilities);
    void setIssue(const QString &message);

    static QString describe(const QString &capability);

signals:
    void changed();

private:
    void syncAll();

    QMap<QString, QCheckBox *> m_boxes;
    QCheckBox *m_all;
    QLabel *m_issue;
    bool m_updating = false;
};
