window.YTD.direct_messages.part0 = [
  {
    "dmConversation": {
      "conversationId": "100-200",
      "messages": [
        {
          "messageCreate": {
            "senderId": "100",
            "recipientId": "200",
            "text": "no id",
            "createdAt": "2025-01-09T09:00:00.000Z"
          }
        }
      ]
    }
  }
]