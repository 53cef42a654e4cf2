#pragma once

#include <QTextDocument>
#include <QWidget>

class QCheckBox;
class QLineEdit;

// The log's find bar: Enter finds the next match, Shift+Enter the previous, Esc closes.
class FindBar : public QWidget
{
    Q_OBJECT

public:
    explicit FindBar(QWidget *parent = nullptr);

    QString text() const;
    QTextDocument::FindFlags flags(bool backward) const;
    void open();
    // Colours the field when nothing matched.
    void setFound(bool found);

signals:
    void findRequested(bool backward);
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLineEdit *m_edit;
    QCheckBox *m_caseSensitive;
};
