window.YTD.direct_messages.part0 = [
  {
    "dmConversation": {
      "conversationId": "100-200",
      "messages": [
        {
          "messageCreate": {
            "recipientId": "100",
            "senderId": "200",
            "id": "5002",
            "text": "thanks for the intro &lt;3",
            "createdAt": "2025-01-09T10:00:00.000Z",
            "reactions": [],
            "urls": [],
            "mediaUrls": []
          }
        },
        {
          "reactionCreate": {
            "senderId": "200",
            "reactionKey": "like",
            "eventId": "1",
            "createdAt": "2025-01-09T09:00:00.000Z"
          }
        },
        {
          "messageCreate": {
            "recipientId": "200",
            "senderId": "100",
            "id": "5001",
            "text": "meet Carla?",
            "createdAt": "2025-01-09T09:00:00.000Z",
            "reactions": [],
            "urls": [],
            "mediaUrls": []
          }
        }
      ]
    }
  }
]